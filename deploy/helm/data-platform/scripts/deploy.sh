#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# deploy.sh ENV [helm flags...]: install or upgrade the data-platform
# release of environment ENV (dev, staging or prod) in namespace
# data-platform-ENV with values-ENV.yaml.  Extra arguments go to helm
# (e.g. --dry-run, --set global.image.tag=1.2.3).  PRINT_ONLY=1 prints the
# command instead of running it.
set -euo pipefail
chart_dir=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -lt 1 ]; then
	echo "usage: $0 dev|staging|prod [helm flags...]" >&2
	exit 2
fi
env=$1
shift
case "$env" in
dev | staging | prod) ;;
*)
	echo "deploy: unknown environment \"$env\" (want dev, staging or prod)" >&2
	exit 2
	;;
esac
values="$chart_dir/values-$env.yaml"
[ -f "$values" ] || {
	echo "deploy: values file $values not found" >&2
	exit 1
}
ns="data-platform-$env"

cmd=(helm upgrade --install data-platform "$chart_dir" -f "$values" -n "$ns" --create-namespace "$@")
if [ "${PRINT_ONLY:-0}" = 1 ]; then
	printf '%q ' "${cmd[@]}"
	echo
	exit 0
fi
command -v helm >/dev/null || {
	echo "deploy: helm not found in PATH" >&2
	exit 1
}
"${cmd[@]}"
