// SPDX-License-Identifier: Apache-2.0
//
// validate.js: checks rendered Kubernetes objects (the JSON that
// tests/deploy/render prints) against the Kubernetes and CRD schemas from
// npm's kubernetes-models packages, and against the deployment invariants
// of the data-platform chart.
//
//   node validate.js schema FILE.json          every object, schema + unknown fields
//   node validate.js chart ENV FILE.json       invariants of one environment's render
//   node validate.js argocd ENV FILE.json      invariants of the Argo CD apps
//
// Prints one "ok - ..." or "not ok - ..." line per check (tests/deploy/*.sh
// counts them) and exits 1 if any check failed.
//
// The kubernetes-models validators ignore fields they do not know, which
// would let a misspelt `readinessProbes:` through; the API server (kubectl's
// default strict field validation) refuses it.  So every object is also run
// through the validator behind a Proxy that records which properties the
// validator reads: a schema with properties reads each declared one, so a
// key present in the data but never read, in an object some of whose keys
// were read, is unknown to the schema.
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const root = path.resolve(__dirname, '..', '..');
const req = createRequire(path.join(root, 'tools', 'js', 'package.json'));

let failed = 0;
function ok(cond, name, detail) {
	if (cond) {
		console.log(`ok - ${name}`);
	} else {
		failed++;
		console.log(`not ok - ${name}`);
		if (detail) console.log(`#   ${String(detail).split('\n').join('\n#   ')}`);
	}
	return cond;
}

// apiVersion/kind -> the kubernetes-models class that validates it.
function modelFor(apiVersion, kind) {
	const m = /^(?:(.+)\/)?(v[0-9a-z]+)$/.exec(apiVersion || '');
	if (!m || !/^[A-Za-z]+$/.test(kind || '')) return null;
	const [, group, version] = m;
	const candidates = [];
	if (!group) candidates.push(`kubernetes-models/${version}/${kind}`);
	else {
		candidates.push(`kubernetes-models/${group}/${version}/${kind}`);
		for (const pkg of ['@kubernetes-models/keda', '@kubernetes-models/prometheus-operator', '@kubernetes-models/argo-cd'])
			candidates.push(`${pkg}/${group}/${version}/${kind}`);
	}
	for (const c of candidates) {
		try {
			const mod = req(c);
			if (mod[kind]) return mod[kind];
		} catch (e) {
			if (e.code !== 'MODULE_NOT_FOUND' && e.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e;
		}
	}
	return null;
}

// Runs the model's validator on a Proxy of obj; returns the list of
// unknown field paths.  Throws what the validator throws.
function validateStrict(Model, obj) {
	const read = new Map(); // path -> Set of keys read
	const enumerated = new Set();
	const wrap = (v, p) => {
		if (v === null || typeof v !== 'object') return v;
		return new Proxy(v, {
			get(t, k, r) {
				if (typeof k === 'string') {
					if (!read.has(p)) read.set(p, new Set());
					read.get(p).add(k);
					return wrap(Reflect.get(t, k, r), `${p}/${k}`);
				}
				return Reflect.get(t, k, r);
			},
			ownKeys(t) {
				enumerated.add(p);
				return Reflect.ownKeys(t);
			},
		});
	};
	Model.prototype.validate.call(wrap(obj, ''));
	const unknown = [];
	const walk = (v, p) => {
		if (v === null || typeof v !== 'object') return;
		if (Array.isArray(v)) {
			v.forEach((x, i) => walk(x, `${p}/${i}`));
			return;
		}
		const seen = read.get(p);
		for (const k of Object.keys(v)) {
			if (seen && seen.size > 0 && !seen.has(k) && !enumerated.has(p)) unknown.push(`${p}/${k}`);
			walk(v[k], `${p}/${k}`);
		}
	};
	walk(obj, '');
	return unknown;
}

function schemaChecks(manifests) {
	ok(manifests.length > 0, `${manifests.length} objects to validate`);
	for (const { source, object } of manifests) {
		const id = `${object.kind}/${object.metadata && object.metadata.name} (${path.basename(source)})`;
		const Model = modelFor(object.apiVersion, object.kind);
		if (!ok(Model, `${id}: a schema exists for ${object.apiVersion} ${object.kind}`)) continue;
		let err = null;
		let unknown = [];
		try {
			unknown = validateStrict(Model, object);
		} catch (e) {
			err = e.message;
		}
		ok(err === null, `${id}: valid against the ${object.apiVersion} ${object.kind} schema`, err);
		ok(unknown.length === 0, `${id}: no unknown fields`, unknown.join(', '));
	}
}

// --- invariants --------------------------------------------------------------

const byKind = (ms, kind) => ms.filter((m) => m.object.kind === kind).map((m) => m.object);
const named = (ms, kind, name) => byKind(ms, kind).find((o) => o.metadata.name === name);
const CLUSTER_SCOPED = new Set(['Namespace']);

function podSpecOf(o) {
	if (['Deployment', 'StatefulSet', 'Job'].includes(o.kind)) return o.spec.template.spec;
	return null;
}

function selects(selector, labels) {
	return Object.entries(selector || {}).every(([k, v]) => labels && labels[k] === v) && Object.keys(selector || {}).length > 0;
}

// Parses a Java .properties body (the subset the chart writes).
function parseProps(text) {
	const out = {};
	for (const line of text.split('\n')) {
		if (/^\s*(#|!|$)/.test(line)) continue;
		const i = line.indexOf('=');
		if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1);
	}
	return out;
}

// Every string anywhere in an object, with its path.
function strings(v, p, out) {
	if (typeof v === 'string') out.push([p, v]);
	else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings(x, `${p}/${k}`, out);
	return out;
}

const SECRET_KEY = /(password|secret|credential|access[._-]?key|token)/i;

function chartChecks(env, manifests) {
	const ns = `data-platform-${env}`;
	const objs = manifests.map((m) => m.object);

	// Namespace.
	const wrongNs = objs.filter((o) => !CLUSTER_SCOPED.has(o.kind) && o.metadata.namespace !== ns);
	ok(wrongNs.length === 0, `${env}: every namespaced object is in ${ns}`, wrongNs.map((o) => `${o.kind}/${o.metadata.name}: ${o.metadata.namespace}`).join('\n'));
	for (const n of byKind(manifests, 'Namespace')) ok(n.metadata.name === ns, `${env}: Namespace object is ${ns}`, n.metadata.name);

	// No secret values.
	ok(byKind(manifests, 'Secret').length === 0, `${env}: the chart renders no Secret (credentials come from pre-created Secrets)`);
	const leaks = [];
	for (const o of objs) {
		const ps = podSpecOf(o);
		for (const c of ps ? [...(ps.containers || []), ...(ps.initContainers || [])] : []) {
			for (const e of c.env || []) {
				if (SECRET_KEY.test(e.name) && !(e.valueFrom && e.valueFrom.secretKeyRef)) leaks.push(`${o.kind}/${o.metadata.name} env ${e.name} is not a secretKeyRef`);
			}
		}
		if (o.kind === 'ConfigMap') {
			for (const [file, body] of Object.entries(o.data || {})) {
				if (!file.endsWith('.properties')) continue;
				for (const [k, v] of Object.entries(parseProps(body))) {
					if (SECRET_KEY.test(k) && !/^\$\{(env|file):[^}]+\}$/.test(v)) leaks.push(`ConfigMap/${o.metadata.name} ${file}: ${k} holds a literal value`);
				}
			}
		}
		for (const [p, s] of strings(o, '', [])) {
			if (/AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(s)) leaks.push(`${o.kind}/${o.metadata.name}${p} looks like a credential`);
			if (process.env.SECRET_CANARY && s.includes(process.env.SECRET_CANARY)) leaks.push(`${o.kind}/${o.metadata.name}${p} contains the canary secret`);
		}
	}
	ok(leaks.length === 0, `${env}: no secret value in any rendered object`, leaks.join('\n'));

	// Containers: probes, resources, non-root security context.
	for (const o of objs) {
		const ps = podSpecOf(o);
		if (!ps) continue;
		const podSc = ps.securityContext || {};
		const longRunning = o.kind !== 'Job';
		const all = [...(ps.initContainers || []).map((c) => [c, 'init']), ...ps.containers.map((c) => [c, 'main'])];
		for (const [c, role] of all) {
			const id = `${env}: ${o.kind}/${o.metadata.name} container ${c.name}`;
			const sc = c.securityContext || {};
			const r = c.resources || {};
			ok(r.requests && r.requests.cpu && r.requests.memory && r.limits && r.limits.memory, `${id} has cpu/memory requests and a memory limit`, JSON.stringify(r));
			const nonRoot = (sc.runAsNonRoot ?? podSc.runAsNonRoot) === true && (sc.runAsUser ?? podSc.runAsUser ?? 1) !== 0;
			const seccomp = ((sc.seccompProfile || podSc.seccompProfile || {}).type) === 'RuntimeDefault';
			ok(nonRoot && sc.readOnlyRootFilesystem === true && sc.allowPrivilegeEscalation === false &&
				sc.capabilities && (sc.capabilities.drop || []).includes('ALL') && !(sc.capabilities.add || []).length && seccomp,
			`${id} runs non-root, read-only root fs, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp`, JSON.stringify({ pod: podSc, container: sc }));
			if (longRunning && role === 'main') ok(c.livenessProbe && c.readinessProbe, `${id} has liveness and readiness probes`);
		}
	}

	// sluice workloads.
	for (const role of ['capture', 'archive']) {
		const d = named(manifests, 'Deployment', `data-platform-${role}`);
		if (!ok(d, `${env}: ${role} Deployment exists`)) continue;
		const tpl = d.spec.template;
		const c = tpl.spec.containers[0];
		ok(c.livenessProbe.httpGet && c.livenessProbe.httpGet.path === '/healthz' && c.readinessProbe.httpGet && c.readinessProbe.httpGet.path === '/readyz',
			`${env}: ${role} probes /healthz (liveness) and /readyz (readiness)`);
		ok(JSON.stringify(c.args) === JSON.stringify([role, '-c', `/etc/sluice/${role}.properties`]), `${env}: ${role} runs \`sluice ${role} -c /etc/sluice/${role}.properties\``, JSON.stringify(c.args));
		const ann = tpl.metadata.annotations || {};
		ok(ann['prometheus.io/scrape'] === 'true' && ann['prometheus.io/port'] === '8083' && ann['prometheus.io/path'] === '/metrics', `${env}: ${role} pods carry Prometheus scrape annotations`);
		const cm = named(manifests, 'ConfigMap', `data-platform-${role}`);
		const props = cm ? parseProps(cm.data[`${role}.properties`] || '') : {};
		const stateVol = (c.volumeMounts || []).find((m) => m.mountPath === props['offset.storage.dir']);
		ok(stateVol && (tpl.spec.volumes || []).some((v) => v.name === stateVol.name && v.emptyDir), `${env}: ${role} keeps offset.storage.dir on a writable volume`, props['offset.storage.dir']);
		ok(props['http.listen'] === '0.0.0.0:8083', `${env}: ${role} listens on 0.0.0.0:8083 in the container`);
		ok(props['kafka.bootstrap.servers'] === `data-platform-redpanda.${ns}.svc.cluster.local:9092`, `${env}: ${role} bootstraps from the Redpanda headless service`, props['kafka.bootstrap.servers']);
		const mounted = (tpl.spec.volumes || []).some((v) => v.configMap && v.configMap.name === `data-platform-${role}`);
		ok(mounted, `${env}: ${role} mounts its properties ConfigMap`);
		const pdb = byKind(manifests, 'PodDisruptionBudget').find((p) => selects(p.spec.selector.matchLabels, tpl.metadata.labels));
		ok(pdb, `${env}: a PodDisruptionBudget covers ${role}`);
		const svc = named(manifests, 'Service', `data-platform-${role}`);
		ok(svc && selects(svc.spec.selector, tpl.metadata.labels), `${env}: Service data-platform-${role} selects the ${role} pods`);
		ok(svc && svc.spec.publishNotReadyAddresses === true, `${env}: Service data-platform-${role} publishes not-ready pods (a FAILED one still answers the status check)`);
		const sm = named(manifests, 'ServiceMonitor', `data-platform-${role}`);
		ok(Boolean(sm) === (env === 'prod'), `${env}: ${role} ServiceMonitor ${env === 'prod' ? 'enabled' : 'disabled'}`);
		const refs = (c.env || []).filter((e) => e.valueFrom && e.valueFrom.secretKeyRef).map((e) => `${e.name}=${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`).sort();
		const want = role === 'capture'
			? ['POSTGRES_PASSWORD=postgres-credentials/password', 'POSTGRES_USER=postgres-credentials/username']
			: ['AWS_ACCESS_KEY_ID=s3-credentials/accessKey', 'AWS_SECRET_ACCESS_KEY=s3-credentials/secretKey'];
		ok(JSON.stringify(refs) === JSON.stringify(want), `${env}: ${role} takes credentials from the secrets create-secrets.sh makes`, refs.join(' '));
		if (role === 'capture') {
			ok(d.spec.replicas === 1, `${env}: capture has exactly one replica`, d.spec.replicas);
			ok(d.spec.strategy && d.spec.strategy.type === 'Recreate', `${env}: capture uses the Recreate strategy`);
			ok(props['database.password'] === '${env:POSTGRES_PASSWORD}' && props['database.user'] === '${env:POSTGRES_USER}', `${env}: capture reads database credentials from the environment`);
			const inCluster = props['database.hostname'] === 'data-platform-postgresql';
			ok(inCluster === (env === 'dev'), `${env}: capture reads the ${env === 'dev' ? 'in-cluster' : 'external'} PostgreSQL`, props['database.hostname']);
		} else {
			const so = named(manifests, 'ScaledObject', 'data-platform-archive');
			const want = { dev: 1, staging: 2 }[env];
			if (env === 'prod') {
				ok(so && d.spec.replicas === undefined && so.spec.minReplicaCount === 3 && so.spec.maxReplicaCount === 12,
					`${env}: archive scales 3..12 with KEDA, the Deployment leaves replicas to it`);
				ok(so && so.spec.triggers[0].type === 'kafka' && so.spec.triggers[0].metadata.consumerGroup === props['group.id'],
					`${env}: KEDA watches archive's consumer group ${props['group.id']}`);
			} else {
				ok(d.spec.replicas === want && !so, `${env}: archive has ${want} replica(s), no ScaledObject`, d.spec.replicas);
			}
			ok(props['s3.bucket.name'] === `sluice-${env === 'dev' ? 'dev' : env + '-lake'}`, `${env}: archive writes to the environment's bucket`, props['s3.bucket.name']);
			ok(env === 'dev' ? props['s3.endpoint'] === 'http://data-platform-minio:9000' : props['s3.endpoint'] === undefined, `${env}: archive uses ${env === 'dev' ? 'the in-cluster S3 store' : 'AWS S3'}`, props['s3.endpoint']);
		}
	}

	// Redpanda.
	const wantBrokers = { dev: 1, staging: 3, prod: 3 }[env];
	const sts = named(manifests, 'StatefulSet', 'data-platform-redpanda');
	if (ok(sts, `${env}: Redpanda StatefulSet exists`)) {
		ok(sts.spec.replicas === wantBrokers, `${env}: Redpanda runs ${wantBrokers} broker(s)`, sts.spec.replicas);
		const svc = named(manifests, 'Service', sts.spec.serviceName);
		ok(svc && svc.spec.clusterIP === 'None' && selects(svc.spec.selector, sts.spec.template.metadata.labels), `${env}: Redpanda has a headless service selecting its pods`);
		const c = sts.spec.template.spec.containers.find((x) => x.name === 'redpanda');
		ok(/^docker\.redpanda\.com\/redpandadata\/redpanda:v\d+\.\d+\.\d+$/.test(c.image), `${env}: Redpanda uses the official image`, c.image);
		const arg = (flag) => (c.args.find((a) => a.startsWith(`--${flag}=`)) || '').slice(flag.length + 3);
		const usesPodName = (c.env || []).some((e) => e.name === 'POD_NAME' && e.valueFrom && e.valueFrom.fieldRef && e.valueFrom.fieldRef.fieldPath === 'metadata.name');
		for (let i = 0; i < wantBrokers; i++) {
			const pod = `data-platform-redpanda-${i}`;
			const adv = arg('advertise-kafka-addr').replace('$(POD_NAME)', pod);
			ok(usesPodName && adv === `internal://${pod}.data-platform-redpanda.${ns}.svc.cluster.local:9092`, `${env}: broker ${i} advertises its pod DNS name`, adv);
		}
		const seeds = arg('seeds').split(',');
		ok(seeds.length === wantBrokers && seeds.every((s, i) => s === `data-platform-redpanda-${i}.data-platform-redpanda.${ns}.svc.cluster.local:33145`), `${env}: the seed list names every broker`, seeds.join(' '));
		const cm = named(manifests, 'ConfigMap', 'data-platform-redpanda');
		const boot = {};
		for (const l of ((cm && cm.data['.bootstrap.yaml']) || '').split('\n')) {
			const m = /^([a-z_]+):\s*(.+)$/.exec(l);
			if (m) boot[m[1]] = m[2];
		}
		ok(boot.group_initial_rebalance_delay === '3000' && boot.log_retention_ms === '604800000' && boot.log_segment_size === '134217728',
			`${env}: Redpanda seed settings (rebalance delay 3000, retention 604800000 ms, segment 134217728 bytes)`, JSON.stringify(boot));
		ok(Number(boot.default_topic_replications) <= wantBrokers, `${env}: topic replication fits the broker count`, boot.default_topic_replications);
		ok((sts.spec.volumeClaimTemplates || []).some((v) => (c.volumeMounts || []).some((m) => m.name === v.metadata.name && m.mountPath === '/var/lib/redpanda/data')), `${env}: Redpanda data lives on a PVC`);
		ok(byKind(manifests, 'PodDisruptionBudget').some((p) => selects(p.spec.selector.matchLabels, sts.spec.template.metadata.labels)), `${env}: a PodDisruptionBudget covers Redpanda`);
	}

	// Dev-only components.
	const pg = named(manifests, 'StatefulSet', 'data-platform-postgresql');
	const minio = named(manifests, 'StatefulSet', 'data-platform-minio');
	if (env === 'dev') {
		const args = pg ? pg.spec.template.spec.containers[0].args.join(' ') : '';
		ok(pg && /-c wal_level=logical/.test(args) && /-c max_wal_senders=10/.test(args) && /-c max_replication_slots=10/.test(args), `${env}: dev PostgreSQL runs with wal_level=logical, max_wal_senders=10, max_replication_slots=10`, args);
		ok(minio, `${env}: dev S3-compatible store present`);
	} else {
		ok(!pg && !minio, `${env}: no in-cluster PostgreSQL or S3 store`);
	}

	// The status check asks for the connectors the ConfigMaps name, through
	// Services that reach not-ready pods; tests/deploy/live.sh runs the
	// script against sluice itself.
	const job = named(manifests, 'Job', 'data-platform-connector-status');
	if (ok(job && job.metadata.annotations['argocd.argoproj.io/hook'] === 'PostSync', `${env}: connector status check is a PostSync hook`)) {
		const c = job.spec.template.spec.containers[0];
		const script = c.args.join('\n');
		ok(JSON.stringify(c.command) === '["/bin/sh","-c"]' && c.args.length === 1, `${env}: status check is one /bin/sh -c script`, JSON.stringify(c.command));
		for (const role of ['capture', 'archive']) {
			const cm = named(manifests, 'ConfigMap', `data-platform-${role}`);
			const name = parseProps(cm.data[`${role}.properties`]).name;
			ok(script.includes(`http://data-platform-${role}:8083/connectors/${name}/status`), `${env}: status check polls ${name}`);
			const svc = named(manifests, 'Service', `data-platform-${role}`);
			ok(svc && svc.spec.publishNotReadyAddresses === true && svc.spec.ports.some((p) => p.port === 8083),
				`${env}: status check reaches not-ready ${role} pods (Service port 8083, publishNotReadyAddresses)`);
		}
		ok(script.includes('"connector":{"state":"RUNNING"') && script.includes('"status":"READY"'), `${env}: status check requires state RUNNING and /readyz READY`);
		ok(script.includes('"state":"FAILED"') && /is FAILED: \$body/.test(script), `${env}: status check stops at a FAILED connector and prints its status body (trace)`);
	}
}

function argocdChecks(env, manifests) {
	const apps = byKind(manifests, 'Application');
	const ns = `data-platform-${env}`;
	const wave = (a) => Number((a.metadata.annotations || {})['argocd.argoproj.io/sync-wave']);
	const want = env === 'dev' ? ['namespaces', 'postgresql', 'minio', 'redpanda', 'capture', 'archive'] : ['namespaces', 'redpanda', 'capture', 'archive'];
	const got = apps.slice().sort((a, b) => wave(a) - wave(b)).map((a) => a.metadata.name.replace(`data-platform-${env}-`, ''));
	ok(JSON.stringify(got) === JSON.stringify(want), `${env}: child applications in sync-wave order ${want.join(' -> ')}`, got.join(' -> '));
	const order = apps.map(wave);
	ok(order.every((w) => Number.isInteger(w)), `${env}: every child application has a sync wave`);
	ok(wave(apps.find((a) => a.metadata.name.endsWith('-redpanda'))) > wave(apps.find((a) => a.metadata.name.endsWith('-namespaces'))) &&
		wave(apps.find((a) => a.metadata.name.endsWith('-capture'))) > wave(apps.find((a) => a.metadata.name.endsWith('-redpanda'))) &&
		wave(apps.find((a) => a.metadata.name.endsWith('-archive'))) > wave(apps.find((a) => a.metadata.name.endsWith('-capture'))),
	`${env}: namespaces < redpanda < capture < archive`);
	for (const a of apps) {
		const s = a.spec.source;
		ok(a.spec.destination.namespace === ns && s.path === 'deploy/helm/data-platform' && s.helm.releaseName === 'data-platform' &&
			JSON.stringify(s.helm.valueFiles) === JSON.stringify([`values-${env}.yaml`]),
		`${env}: ${a.metadata.name} renders the umbrella chart with values-${env}.yaml into ${ns}`);
	}
	const hooks = apps.filter((a) => (a.spec.source.helm.parameters || []).some((p) => p.name === 'statusCheck.enabled' && p.value === 'true'));
	ok(hooks.length === 1 && hooks[0].metadata.name.endsWith('-archive'), `${env}: only the last child (archive) runs the PostSync status check`);
	if (process.env.RENDER) argocdCoverage(env, apps);
}

// Renders the umbrella chart the way each child Application asks (its value
// file and helm parameters) with the render tool in $RENDER, and checks
// that the children together deploy exactly what one
// `helm upgrade --install` of the environment deploys (plus the
// Namespace), with no object owned by two children.
function argocdCoverage(env, apps) {
	const { execFileSync } = require('child_process');
	const chart = path.join(root, 'deploy', 'helm', 'data-platform');
	const render = (extra) => JSON.parse(execFileSync(process.env.RENDER, ['-chart', chart, '-f', path.join(chart, `values-${env}.yaml`),
		'-namespace', `data-platform-${env}`, ...extra], { maxBuffer: 64 << 20 })).manifests.map((m) => `${m.object.kind}/${m.object.metadata.name}`);
	const full = render(['-set', 'namespace.create=true']).sort();
	const owner = new Map();
	const dups = [];
	for (const a of apps) {
		const sets = [];
		for (const p of a.spec.source.helm.parameters || []) sets.push('-set', `${p.name}=${p.value}`);
		const ids = render(sets);
		ok(ids.length > 0, `${env}: child ${a.metadata.name} deploys something`);
		for (const id of ids) {
			if (owner.has(id)) dups.push(`${id} in ${owner.get(id)} and ${a.metadata.name}`);
			owner.set(id, a.metadata.name);
		}
	}
	ok(dups.length === 0, `${env}: no object belongs to two child applications`, dups.join('\n'));
	const union = [...owner.keys()].sort();
	ok(JSON.stringify(union) === JSON.stringify(full), `${env}: the children together deploy exactly the full release`,
		`missing: ${full.filter((x) => !owner.has(x)).join(' ')}\nextra: ${union.filter((x) => !full.includes(x)).join(' ')}`);
}

function main() {
	const [mode, a, b] = process.argv.slice(2);
	const file = mode === 'schema' ? a : b;
	const { manifests } = JSON.parse(fs.readFileSync(file, 'utf8'));
	if (mode === 'schema') schemaChecks(manifests);
	else if (mode === 'chart') chartChecks(a, manifests);
	else if (mode === 'argocd') argocdChecks(a, manifests);
	else throw new Error(`unknown mode ${mode}`);
	process.exit(failed ? 1 : 0);
}

main();
