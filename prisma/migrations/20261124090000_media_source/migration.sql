-- Where each media item came from ("source"): "twilio" when Twilio reported it (a customer's message,
-- or one sent from another platform with the account: sender "contact" or "external"), "caller" when an
-- agent, API key or bot supplied it. Only Twilio-reported items may be fetched with the account's
-- credentials (lib/messaging/media.ts). Items that already have a source keep it.
UPDATE "messages" AS m
SET "media" = (
  SELECT jsonb_agg(
           CASE
             WHEN jsonb_typeof(e.item) = 'object' AND NOT (e.item ? 'source')
               THEN e.item || jsonb_build_object('source', CASE WHEN m."sender_type" IN ('contact', 'external') THEN 'twilio' ELSE 'caller' END)
             ELSE e.item
           END
           ORDER BY e.ord)
  FROM jsonb_array_elements(m."media") WITH ORDINALITY AS e(item, ord)
)
WHERE jsonb_typeof(m."media") = 'array' AND jsonb_array_length(m."media") > 0;
