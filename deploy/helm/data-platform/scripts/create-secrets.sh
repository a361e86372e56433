#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# create-secrets.sh ENV: create (or update) the two Secrets the chart reads,
# in namespace data-platform-ENV, from environment variables:
#
#   postgres-credentials  username <- POSTGRES_USER, password <- POSTGRES_PASSWORD
#   s3-credentials        accessKey <- S3_ACCESS_KEY, secretKey <- S3_SECRET_KEY
#
# Values never touch the command line of a process (they go to kubectl on
# standard input) nor the chart.  Every missing variable is named before
# anything is changed.  Run it before scripts/deploy.sh; running it again
# updates the Secrets in place.
set -euo pipefail

usage() {
	echo "usage: $0 dev|staging|prod" >&2
	echo "  needs POSTGRES_USER, POSTGRES_PASSWORD, S3_ACCESS_KEY, S3_SECRET_KEY in the environment" >&2
	exit 2
}

[ $# -eq 1 ] || usage
env=$1
case "$env" in
dev | staging | prod) ;;
*)
	echo "create-secrets: unknown environment \"$env\" (want dev, staging or prod)" >&2
	exit 2
	;;
esac
ns="data-platform-$env"

missing=()
for v in POSTGRES_USER POSTGRES_PASSWORD S3_ACCESS_KEY S3_SECRET_KEY; do
	[ -n "${!v:-}" ] || missing+=("$v")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "create-secrets: missing environment variable(s): ${missing[*]}; nothing was created" >&2
	exit 1
fi
command -v kubectl >/dev/null || {
	echo "create-secrets: kubectl not found in PATH" >&2
	exit 1
}

# apply_secret NAME KEY=VAR...: render the Secret client-side from an
# env-file on stdin, then apply it, so a re-run updates it.
apply_secret() {
	local name=$1
	shift
	local pair var
	for pair in "$@"; do
		var=${pair#*=}
		printf '%s=%s\n' "${pair%%=*}" "${!var}"
	done | kubectl -n "$ns" create secret generic "$name" --from-env-file=/dev/stdin \
		--dry-run=client -o yaml | kubectl -n "$ns" apply -f -
}

kubectl get namespace "$ns" >/dev/null 2>&1 || kubectl create namespace "$ns"
apply_secret postgres-credentials username=POSTGRES_USER password=POSTGRES_PASSWORD
apply_secret s3-credentials accessKey=S3_ACCESS_KEY secretKey=S3_SECRET_KEY
echo "create-secrets: postgres-credentials and s3-credentials are up to date in $ns"
