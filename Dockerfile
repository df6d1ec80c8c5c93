# Hilo: a production image from Next.js's standalone output (.next/standalone: the server and only the
# node_modules it needs), served by server.mjs (graceful stop on SIGTERM) as a non-root user.
# See docs/deploy.md. Build: docker build -t hilo .   Migrations job: docker build --target migrate -t hilo-migrate .

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
# `npm ci` runs the project's postinstall (prisma generate, no engine download).
RUN npm ci --no-audit --no-fund && npx next build

# `npm run db:migrate` once per deploy, before the new instances start (compose: service "migrate").
FROM build AS migrate
USER node
CMD ["npm", "run", "db:migrate"]

FROM node:20-bookworm-slim AS app
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000
COPY --from=build --chown=node:node /app/.next/standalone ./
COPY --from=build --chown=node:node /app/.next/static ./.next/static
COPY --from=build --chown=node:node /app/server.mjs ./server.mjs
COPY --from=build --chown=node:node /app/prisma/migrations ./prisma/migrations
# Attachments on disk (STORAGE_DRIVER=disk): owned by the app's user, so that a volume mounted here
# starts writable. Several instances need one shared volume here, or S3 storage (docs/deploy.md).
RUN mkdir -p /app/.data/attachments && chown -R node:node /app/.data
USER node
EXPOSE 3000
# The load balancer's readiness check: 503 while the database is unreachable or the instance drains.
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Exec form: SIGTERM reaches node (server.mjs drains, then exits 0).
CMD ["node", "server.mjs"]
