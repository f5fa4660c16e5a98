#!/bin/sh
# One-shot (compose service `createbucket`, image minio/mc): create the media bucket and
# let anyone GET an object by its exact key, as the local /media/ route does. Media keys
# are unguessable, so only s3:GetObject is public: never s3:ListBucket, never a write.
# Safe to run again.
set -eu
bucket="${AWS_STORAGE_BUCKET_NAME:?}"
mc alias set media "${MINIO_URL:-http://minio:9000}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
mc mb --ignore-existing "media/$bucket"
printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%s/*"]}]}\n' "$bucket" >/tmp/media-policy.json
mc anonymous set-json /tmp/media-policy.json "media/$bucket"
