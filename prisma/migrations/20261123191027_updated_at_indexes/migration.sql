-- CreateIndex
CREATE INDEX "messages_updated_at_idx" ON "messages"("updated_at");

-- CreateIndex
CREATE INDEX "threads_updated_at_idx" ON "threads"("updated_at");
