#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/deploy/chart.sh -- the deployment under deploy/, checked without a
# cluster: Helm cannot be installed here, so tests/deploy/render (Go's
# text/template + sprig + Helm's own functions, Helm's engine) renders the
# umbrella chart for dev, staging and prod and the Argo CD app of apps;
# tests/deploy/validate.js checks every object against the Kubernetes and
# CRD schemas (npm kubernetes-models) and the chart's invariants.  Negative
# controls show each guard can fail.  The scripts run (create-secrets.sh
# against a stub kubectl), yamllint and shellcheck lint the rest, and the
# Dockerfile is checked against what the sluice binary links.
# tests/deploy/live.sh starts sluice from the rendered chart.
# shellcheck source-path=SCRIPTDIR source=../lib/integ.sh
. "$(dirname "$0")/../lib/integ.sh"
cd "$SRC_ROOT" || exit 1
CHART=deploy/helm/data-platform
APPS=deploy/argocd/apps

# js_checks CMD...: run a validate.js mode, count its ok / not ok lines.
js_checks() {
	local out line
	out=$("$@" 2>&1)
	local n=0
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) pass "${line#ok - }"; n=$((n + 1)) ;;
		"not ok - "*) fail "${line#not ok - }"; n=$((n + 1)) ;;
		"#"*) echo "$line" ;;
		esac
	done <<<"$out"
	[ "$n" -gt 0 ] || { fail "no checks from: $*"; echo "$out" | tail -20; }
}

# --- the render tool, built offline against Debian's Go libraries ------------
RENDER=$SRC_ROOT/$BUILD/tests/deploy/render
mkdir -p "$(dirname "$RENDER")"
if (cd tests/deploy/render && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS="" GOPROXY=off \
	GOCACHE=$SRC_ROOT/$BUILD/go-cache go build -o "$RENDER" .) >"$TROOT/go-build.log" 2>&1; then
	pass "render tool builds (text/template + sprig, GOPATH=/usr/share/gocode)"
else
	cat "$TROOT/go-build.log"
	die "render tool does not build"
fi
export RENDER

# The tool itself behaves like Helm on the points the chart relies on.
mkdir -p "$TROOT/mini/templates" "$TROOT/mini/charts/sub/templates"
printf 'apiVersion: v2\nname: mini\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n    condition: sub.enabled\n' >"$TROOT/mini/Chart.yaml"
printf 'big: 604800000\nlist: [a, b]\nglobal:\n  g: from-parent\nsub:\n  enabled: true\n  x: parent\ndrop: 1\n' >"$TROOT/mini/values.yaml"
printf 'apiVersion: v2\nname: sub\nversion: 0.1.0\n' >"$TROOT/mini/charts/sub/Chart.yaml"
printf 'x: sub-default\nw: sub-default\n' >"$TROOT/mini/charts/sub/values.yaml"
printf 'drop: null\n' >"$TROOT/mini/override.yaml"
cat >"$TROOT/mini/templates/_h.tpl" <<'EOF'
{{- define "mini.name" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end -}}
EOF
cat >"$TROOT/mini/templates/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "mini.name" . }}
  namespace: {{ .Release.Namespace }}
data:
  raw: {{ .Values.big | quote }}
  int: {{ int64 .Values.big | quote }}
  tpl: {{ tpl "{{ .Release.Name }}-t" . | quote }}
  yaml: |
    {{- toYaml .Values.list | nindent 4 }}
  missing: "{{ .Values.nope }}"
  dropped: {{ hasKey .Values "drop" | quote }}
EOF
cat >"$TROOT/mini/charts/sub/templates/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "mini.name" . }}
data:
  x: {{ .Values.x }}
  w: {{ .Values.w }}
  g: {{ .Values.global.g }}
EOF
mini=$("$RENDER" -chart "$TROOT/mini" -f "$TROOT/mini/override.yaml" -namespace ns1 -release r -o yaml 2>&1)
like "$mini" 'raw: "6.048e\+08"' "render: numbers are float64 as in Helm (unconverted big ints print 6.048e+08)"
like "$mini" 'int: "604800000"' "render: int64 converts them back"
like "$mini" 'tpl: r-t' "render: tpl"
like "$mini" $'yaml: \\|\n    - a\n    - b' "render: toYaml | nindent"
like "$mini" 'missing: ""' "render: a missing value renders empty, as in Helm"
like "$mini" 'dropped: "false"' "render: null in a values file deletes the default"
like "$mini" 'name: r-sub' "render: .Chart.Name is the subchart's inside it"
like "$mini" 'x: parent' "render: the parent's section overrides subchart defaults"
like "$mini" 'w: sub-default' "render: subchart defaults fill the rest"
like "$mini" 'g: from-parent' "render: globals reach subcharts"
mini=$("$RENDER" -chart "$TROOT/mini" -set sub.enabled=false -o yaml 2>&1)
check "render: a false dependency condition drops the subchart" test "$(grep -c 'kind: ConfigMap' <<<"$mini")" -eq 1
printf 'bad: [\n' >"$TROOT/mini/templates/bad.yaml"
check "render: a template that renders invalid YAML is an error" bash -c "! '$RENDER' -chart '$TROOT/mini' >/dev/null 2>&1"
rm -f "$TROOT/mini/templates/bad.yaml"

# --- every environment: render, schema, invariants ---------------------------
for env in dev staging prod; do
	out=$TROOT/$env.json
	if "$RENDER" -chart "$CHART" -f "$CHART/values-$env.yaml" -namespace "data-platform-$env" >"$out" 2>"$TROOT/$env.err"; then
		pass "$env: chart renders"
	else
		cat "$TROOT/$env.err"
		fail "$env: chart renders"
		continue
	fi
	js_checks node tests/deploy/validate.js schema "$out"
	js_checks node tests/deploy/validate.js chart "$env" "$out"
	notes=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1])).notes)' "$out")
	like "$notes" "kubectl -n data-platform-$env port-forward svc/data-platform-capture 8083:8083" "$env: NOTES show the port-forward"
	like "$notes" "curl -s http://127.0.0.1:8083/connectors/app-capture/status" "$env: NOTES show the connector status request"
done
# The rendered properties load in the real sluice binary (its key table,
# types and cross-key rules).  tests/deploy/live.sh starts it from them.
for env in dev staging prod; do
	for role in capture archive; do
		node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1]));for(const m of j.manifests){const d=m.object.kind==="ConfigMap"&&m.object.data[process.argv[2]+".properties"];if(d)process.stdout.write(d)}' \
			"$TROOT/$env.json" "$role" >"$TROOT/$env-$role.properties"
		if [ ! -x "$SLUICE" ]; then
			fail "$env: $role.properties check needs $SLUICE (make build-tests)"
		elif ! "$SLUICE" "$role" --help >/dev/null 2>&1; then
			fail "$env: sluice $role --help fails: $role.properties not loaded by the binary"
		elif out=$(POSTGRES_USER=u POSTGRES_PASSWORD=p "$SLUICE" "$role" -c "$TROOT/$env-$role.properties" --print-config 2>&1); then
			pass "$env: sluice $role accepts the rendered $role.properties"
		else
			fail "$env: sluice $role accepts the rendered $role.properties"
			echo "$out" | tail -5
		fi
	done
done

# With the namespace template on (the Argo CD "namespaces" child).
"$RENDER" -chart "$CHART" -f "$CHART/values-prod.yaml" -namespace data-platform-prod -set namespace.create=true >"$TROOT/ns.json"
js_checks node tests/deploy/validate.js schema "$TROOT/ns.json"
ns_obj=$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1]));const n=j.manifests.find(m=>m.object.kind==="Namespace");process.stdout.write(n?n.object.metadata.name+" "+n.object.metadata.labels["pod-security.kubernetes.io/enforce"]:"none")' "$TROOT/ns.json")
is "$ns_obj" "data-platform-prod restricted" "prod: templates/namespace.yaml makes data-platform-prod, Pod Security restricted"

# --- negative controls: each guard must be able to fail ----------------------
neg() { # neg NAME REGEX RENDER-ARGS...: the render must fail with REGEX
	local name=$1 re=$2
	shift 2
	local err
	if err=$("$RENDER" -chart "$CHART" "$@" 2>&1 >/dev/null); then
		fail "$name (rendered anyway)"
	else
		like "$err" "$re" "$name"
	fi
}
printf 'capture:\n  config:\n    database.password: hunter2-canary\n' >"$TROOT/leak.yaml"
neg "a literal password in capture.config is refused" "a secret must not be set in values" \
	-f "$CHART/values-dev.yaml" -f "$TROOT/leak.yaml" -namespace data-platform-dev
printf 'archive:\n  config:\n    aws.secret.access.key: hunter2-canary\n' >"$TROOT/leak2.yaml"
neg "a literal S3 secret in archive.config is refused" "a secret must not be set in values" \
	-f "$CHART/values-dev.yaml" -f "$TROOT/leak2.yaml" -namespace data-platform-dev
neg "capture refuses a second replica" "capture runs exactly one replica" \
	-f "$CHART/values-dev.yaml" -set capture.replicas=2 -namespace data-platform-dev
neg "prod values cannot be installed into the dev namespace" "these values are for namespace data-platform-prod but the release is going to data-platform-dev" \
	-f "$CHART/values-prod.yaml" -namespace data-platform-dev
neg "prod without a database host is refused" "global.postgres.host is required" \
	-f "$CHART/values-prod.yaml" -set global.postgres.host= -namespace data-platform-prod
# Mutated renders: the validators must catch them.
node -e '
const fs=require("fs");const j=JSON.parse(fs.readFileSync(process.argv[1]));
const d=j.manifests.find(m=>m.object.kind==="Deployment").object;
d.spec.template.spec.containers[0].readinessProbes={};
fs.writeFileSync(process.argv[2],JSON.stringify(j));
const k=JSON.parse(fs.readFileSync(process.argv[1]));
const c=k.manifests.find(m=>m.object.metadata.name==="data-platform-capture"&&m.object.kind==="Deployment").object;
c.spec.replicas=2;
c.spec.template.spec.containers[0].env[1]={name:"POSTGRES_PASSWORD",value:"hunter2-canary"};
delete c.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem;
fs.writeFileSync(process.argv[3],JSON.stringify(k));' "$TROOT/dev.json" "$TROOT/typo.json" "$TROOT/weak.json"
out=$(node tests/deploy/validate.js schema "$TROOT/typo.json")
like "$out" "not ok - Deployment/[a-z-]+ \(deployment.yaml\): no unknown fields"$'\n'"#   /spec/template/spec/containers/0/readinessProbes" "schema check rejects an unknown field (readinessProbes)"
out=$(SECRET_CANARY=hunter2-canary node tests/deploy/validate.js chart dev "$TROOT/weak.json")
like "$out" "not ok - dev: capture has exactly one replica" "invariant check catches two capture replicas"
like "$out" "not ok - dev: no secret value in any rendered object" "invariant check catches a literal secret"
like "$out" "not ok - dev: Deployment/data-platform-capture container capture runs non-root, read-only root fs" "invariant check catches a writable root filesystem"

# --- Argo CD ------------------------------------------------------------------
for env in dev staging prod; do
	out=$TROOT/argo-$env.json
	if "$RENDER" -chart "$APPS" -f "$APPS/values-$env.yaml" -namespace argocd >"$out" 2>"$TROOT/argo.err"; then
		pass "$env: Argo CD child applications render"
	else
		cat "$TROOT/argo.err"
		fail "$env: Argo CD child applications render"
		continue
	fi
	js_checks node tests/deploy/validate.js schema "$out"
	js_checks node tests/deploy/validate.js argocd "$env" "$out"
done
"$RENDER" -plain deploy/argocd/root-*.yaml >"$TROOT/roots.json"
js_checks node tests/deploy/validate.js schema "$TROOT/roots.json"
roots=$(node -e '
const j=JSON.parse(require("fs").readFileSync(process.argv[1]));
for (const m of j.manifests){const s=m.object.spec.source;console.log(m.object.metadata.name,s.path,s.helm.valueFiles.join(","),m.object.spec.destination.namespace)}' "$TROOT/roots.json")
is "$roots" $'data-platform-dev deploy/argocd/apps values-dev.yaml argocd\ndata-platform-prod deploy/argocd/apps values-prod.yaml argocd\ndata-platform-staging deploy/argocd/apps values-staging.yaml argocd' \
	"one app-of-apps root per environment, each on its own values file"

# --- scripts -------------------------------------------------------------------
for env in dev staging prod; do
	got=$(PRINT_ONLY=1 "$CHART/scripts/deploy.sh" "$env")
	is "$got" "helm upgrade --install data-platform $SRC_ROOT/$CHART -f $SRC_ROOT/$CHART/values-$env.yaml -n data-platform-$env --create-namespace " \
		"deploy.sh $env runs the documented helm command"
done
err=$("$CHART/scripts/deploy.sh" qa 2>&1)
is "$?" 2 "deploy.sh refuses an unknown environment"
like "$err" 'unknown environment "qa"' "deploy.sh says why"
err=$(env -i PATH=/usr/bin:/bin POSTGRES_USER=u S3_ACCESS_KEY=a bash "$CHART/scripts/create-secrets.sh" dev 2>&1)
is "$?" 1 "create-secrets.sh fails when variables are missing"
is "$err" "create-secrets: missing environment variable(s): POSTGRES_PASSWORD S3_SECRET_KEY; nothing was created" \
	"create-secrets.sh names exactly the missing variables"
err=$(bash "$CHART/scripts/create-secrets.sh" 2>&1)
is "$?" 2 "create-secrets.sh without an environment prints usage"

# The success path, against a stub kubectl first on PATH that records each
# call's argv and standard input (and answers `create secret --dry-run -o
# yaml` with a Secret built from that input, as kubectl does).  The two
# kubectl of a pipeline start together, so a call claims its number with an
# atomic mkdir.
mkdir -p "$TROOT/stub"
cat >"$TROOT/stub/kubectl" <<'STUB'
#!/usr/bin/env bash
d=${KUBECTL_DIR:?}
n=1
until mkdir "$d/$n" 2>/dev/null; do n=$((n + 1)); done
printf '%s\n' "$@" >"$d/$n/argv"
case " $* " in
*" get namespace "*) [ -n "${STUB_NS_EXISTS:-}" ] ;;
*" create namespace "*) ;;
*" create secret generic "*" --from-env-file=/dev/stdin --dry-run=client -o yaml ")
	cat >"$d/$n/stdin"
	name=$(sed -n '/^generic$/{n;p;q}' "$d/$n/argv")
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\ndata:\n' "$name"
	while IFS= read -r l; do printf '  %s: %s\n' "${l%%=*}" "$(printf '%s' "${l#*=}" | base64 -w0)"; done <"$d/$n/stdin"
	;;
*" apply -f - ") cat >"$d/$n/stdin" ;;
*) echo "stub kubectl: unexpected call: $*" >&2; exit 3 ;;
esac
STUB
chmod +x "$TROOT/stub/kubectl"
PGU='cdc_user' PGP="pg pa=ss\$w0rd" S3A='AKIDSTUBACCESS' S3S='s3/Secr+t=key 9'
b64() { printf '%s' "$1" | base64 -w0; }
secret_yaml() { # NAME KEY VALUE KEY VALUE: what `kubectl create secret -o yaml` renders
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\ndata:\n  %s: %s\n  %s: %s' "$1" "$2" "$(b64 "$3")" "$4" "$(b64 "$5")"
}
# stub_call DIR ARGV-LINE: the directory of the call with exactly that argv
stub_call() { local a; for a in "$1"/*/argv; do [ "$(paste -sd' ' "$a")" != "$2" ] || { dirname "$a"; return; }; done; echo "$1/none"; }
for env in dev staging prod; do
	kd=$TROOT/kubectl-$env
	mkdir -p "$kd"
	exists=1
	[ "$env" != dev ] || exists="" # dev: the namespace is not there yet
	out=$(timeout 60 env -i PATH="$TROOT/stub:/usr/bin:/bin" KUBECTL_DIR="$kd" STUB_NS_EXISTS="$exists" \
		POSTGRES_USER="$PGU" POSTGRES_PASSWORD="$PGP" S3_ACCESS_KEY="$S3A" S3_SECRET_KEY="$S3S" \
		bash "$CHART/scripts/create-secrets.sh" "$env" 2>&1)
	is "$?" 0 "create-secrets.sh $env succeeds with kubectl"
	ns=data-platform-$env
	is "$out" "create-secrets: postgres-credentials and s3-credentials are up to date in $ns" "create-secrets.sh $env says what it did"
	ncalls=$(find "$kd" -mindepth 1 -maxdepth 1 -type d | wc -l)
	calls=""
	for ((i = 1; i <= ncalls; i++)); do calls+="$(paste -sd' ' "$kd/$i/argv")"$'\n'; done
	first="get namespace $ns"$'\n'
	[ -n "$exists" ] || first+="create namespace $ns"$'\n'
	is "${calls:0:${#first}}" "$first" "create-secrets.sh $env: looks up the namespace first$([ -n "$exists" ] || echo ", creates it when missing")"
	create_pg="-n $ns create secret generic postgres-credentials --from-env-file=/dev/stdin --dry-run=client -o yaml"
	create_s3="-n $ns create secret generic s3-credentials --from-env-file=/dev/stdin --dry-run=client -o yaml"
	apply="-n $ns apply -f -"
	is "$(printf '%s' "${calls:${#first}}" | sort)" "$(printf '%s\n' "$create_pg" "$create_s3" "$apply" "$apply" | sort)" \
		"create-secrets.sh $env: then creates postgres-credentials and s3-credentials client-side and applies them, all in $ns"
	is "$(cat "$(stub_call "$kd" "$create_pg")/stdin")" "username=$PGU"$'\n'"password=$PGP" \
		"create-secrets.sh $env: postgres-credentials gets username and password on stdin, verbatim"
	is "$(cat "$(stub_call "$kd" "$create_s3")/stdin")" "accessKey=$S3A"$'\n'"secretKey=$S3S" \
		"create-secrets.sh $env: s3-credentials gets accessKey and secretKey on stdin, verbatim"
	declare -A applied=()
	for a in "$kd"/*/argv; do
		[ "$(paste -sd' ' "$a")" = "$apply" ] || continue
		y=$(cat "$(dirname "$a")/stdin")
		applied[$(sed -n 's/^  name: //p' <<<"$y")]=$y
	done
	is "${applied[postgres-credentials]:-}" "$(secret_yaml postgres-credentials username "$PGU" password "$PGP")" \
		"create-secrets.sh $env: kubectl apply reads the postgres-credentials Secret kubectl create rendered"
	is "${applied[s3-credentials]:-}" "$(secret_yaml s3-credentials accessKey "$S3A" secretKey "$S3S")" \
		"create-secrets.sh $env: kubectl apply reads the s3-credentials Secret kubectl create rendered"
	unset applied
	leak=""
	for v in "$PGU" "$PGP" "$S3A" "$S3S"; do
		! grep -qF -- "$v" "$kd"/*/argv || leak+=" argv:$v"
		[[ "$out" != *"$v"* ]] || leak+=" output:$v"
	done
	is "$leak" "" "create-secrets.sh $env: no credential in any kubectl argv or in the script's output"
done
# kubectl failing (an API server refusing) fails the script.
printf '#!/bin/sh\necho "stub: forbidden" >&2\nexit 1\n' >"$TROOT/stub/kubectl"
err=$(timeout 60 env -i PATH="$TROOT/stub:/usr/bin:/bin" POSTGRES_USER=u POSTGRES_PASSWORD=p S3_ACCESS_KEY=a S3_SECRET_KEY=s \
	bash "$CHART/scripts/create-secrets.sh" dev 2>&1)
check "create-secrets.sh fails when kubectl fails" test "$?" -ne 0
like "$err" "stub: forbidden" "create-secrets.sh passes kubectl's error on"

# --- lint ------------------------------------------------------------------------
mapfile -t yfiles < <(find deploy -name '*.yaml' -not -path '*/templates/*' | sort)
check "yamllint: ${#yfiles[@]} values, Chart.yaml and Argo CD files" yamllint -s -c deploy/.yamllint.yaml "${yfiles[@]}"
check "shellcheck: deploy scripts and tests/deploy" shellcheck -x "$CHART"/scripts/*.sh tests/deploy/*.sh
unformatted=$(gofmt -l tests/deploy/render)
is "$unformatted" "" "gofmt: render tool"

# --- container image ------------------------------------------------------------
runtime=$(awk '/^FROM debian:bookworm-slim/{f=1} f' deploy/Dockerfile)
like "$(grep -c '^FROM' deploy/Dockerfile)" '^2$' "Dockerfile: two stages"
like "$runtime" 'USER 10001:10001' "Dockerfile: runtime stage runs as a non-root uid"
if [ -x "$SLUICE" ]; then
	missing=""
	while read -r lib; do
		case "$lib" in libc.so* | libm.so* | libpthread.so* | libdl.so* | libgcc_s.so* | libstdc++.so* | libasan.so* | libubsan.so* | ld-linux*) continue ;; esac
		path=$(ldd "$SLUICE" | awk -v l="$lib" '$1 == l {print $3}')
		real=$(readlink -f "$path")
		pkg=""
		# merged /usr: dpkg may know the file under /lib or /usr/lib
		for cand in "$path" "$real" "${real#/usr}" "/usr$real" "$(dirname "$path")/$(basename "$real")"; do
			pkg=$(dpkg -S "$cand" 2>/dev/null | head -n 1 | cut -d: -f1)
			[ -z "$pkg" ] || break
		done
		[ -n "$pkg" ] || pkg="?$lib"
		grep -qw -- "$pkg" <<<"$runtime" || missing="$missing $pkg($lib)"
	done < <(objdump -p "$SLUICE" | awk '$1 == "NEEDED" {print $2}')
	is "$missing" "" "Dockerfile: runtime stage installs every library sluice links"
else
	fail "Dockerfile runtime check needs $SLUICE (make build-tests)"
fi
build_pkgs=$(sed -n '/^FROM debian:bookworm AS build/,/^FROM/p' deploy/Dockerfile | grep -oE '\b(lib[a-z0-9.+-]+-dev|build-essential|pkg-config)\b' | sort -u)
absent=""
for p in $build_pkgs; do grep -qx "$p" scripts/deps/build.txt || absent="$absent $p"; done
is "$absent" "" "Dockerfile: build stage uses packages from scripts/deps/build.txt"
err=$(make --no-print-directory -f deploy/image.mk image CONTAINER_ENGINE= 2>&1)
rc=$?
check "make image without a container engine fails" test "$rc" -ne 0
like "$err" "no container engine \(docker or podman\) is installed here; the image was not built" "make image says that no engine exists"

finish
