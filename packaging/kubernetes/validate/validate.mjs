// SPDX-License-Identifier: GPL-2.0
/*
 * Validate kabistat's Kubernetes manifests offline (make check, through
 * scripts/host-tests.sh, after `npm ci` of package.json here):
 *
 *   node validate.mjs SCHEMA_DIR MANIFEST.yaml...
 *
 * Each document, by apiVersion and kind:
 *  - Kubernetes kinds: the validator kubernetes-models generated from the
 *    Kubernetes OpenAPI spec (types, required fields, enums, formats);
 *  - Prometheus Operator kinds: @kubernetes-models/prometheus-operator's,
 *    generated from the Operator's CRDs;
 *  - both again as TypeScript object literals typed with the same
 *    models' interfaces, compiled by tsc --strict: a field the schema does
 *    not know is an error there (excess property check), as under the
 *    API server's strict field validation;
 *  - KMM's Module: ajv against SCHEMA_DIR/kmm-module-v1beta1.json (the
 *    fields used, extracted from KMM's CRD, additionalProperties false),
 *    its metadata with the Kubernetes ObjectMeta validator.
 * An unknown apiVersion/kind fails.  Then what no schema sees, between
 * the documents: the Module's Dockerfile ConfigMap exists, and its
 * dockerfile is kmod.Containerfile (next to the manifest) byte for byte;
 * the DaemonSet waits for the node label KMM sets for that Module; the
 * PodMonitor selects the DaemonSet's pods and names one of their ports.
 * Prints one line per check, then "N passed, M failed".
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import Ajv from "ajv";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));
const [schemaDir, ...files] = process.argv.slice(2);
if (!schemaDir || !files.length) {
	console.error("usage: node validate.mjs SCHEMA_DIR MANIFEST.yaml...");
	process.exit(2);
}

/* apiVersion -> [module directory of the model, interface prefix] */
function modelPath(apiVersion, kind) {
	if (apiVersion === "v1")
		return `kubernetes-models/v1/${kind}`;
	if (apiVersion.startsWith("monitoring.coreos.com/"))
		return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
	if (/^[a-z0-9.]+\/v[0-9a-z]+$/.test(apiVersion) &&
	    !apiVersion.startsWith("kmm.sigs.x-k8s.io/"))
		return `kubernetes-models/${apiVersion}/${kind}`;
	return null;
}

const ajv = new Ajv({ allErrors: true, strict: true });
const kmm = ajv.compile(JSON.parse(readFileSync(
	join(schemaDir, "kmm-module-v1beta1.json"), "utf8")));
const { validate: objectMeta } = await import(
	"@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1ObjectMeta");

let passed = 0, failed = 0;
const typed = [];	/* [label, import path, interface, object] */
const all = [];		/* [file, object] */

function report(label, errors) {
	if (errors.length) {
		failed++;
		console.log(`fail ${label}`);
		for (const e of errors)
			console.log(`    ${e}`);
	} else {
		passed++;
		console.log(`pass ${label}`);
	}
}

function ajvErrors(errs) {
	return (errs || []).map((e) => `${e.instancePath || "/"} ${e.message}` +
		(e.params && e.params.additionalProperty ?
		 ` (${e.params.additionalProperty})` : ""));
}

for (const file of files) {
	const docs = parseAllDocuments(readFileSync(file, "utf8"));
	for (const [i, doc] of docs.entries()) {
		if (doc.errors.length) {
			report(`${file}#${i}`, doc.errors.map(String));
			continue;
		}
		const obj = doc.toJS();
		if (!obj)
			continue;
		all.push([file, obj]);
		const label = `${file}: ${obj.kind} ${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""} (${obj.apiVersion})`;
		if (obj.apiVersion === "kmm.sigs.x-k8s.io/v1beta1" &&
		    obj.kind === "Module") {
			const errs = [];
			if (!kmm(obj))
				errs.push(...ajvErrors(kmm.errors));
			if (!objectMeta(obj.metadata))
				errs.push(...ajvErrors(objectMeta.errors).map((e) => `metadata${e}`));
			report(`${label} [schema of KMM's CRD]`, errs);
			continue;
		}
		const path = modelPath(obj.apiVersion ?? "", obj.kind ?? "");
		let mod = null;
		try {
			mod = path && await import(path);
		} catch {
			mod = null;
		}
		const Model = mod && mod[obj.kind];
		if (!Model) {
			report(label, [`no schema for ${obj.apiVersion} ${obj.kind}`]);
			continue;
		}
		try {
			new Model(obj).validate();
			report(`${label} [OpenAPI schema]`, []);
		} catch (e) {
			report(`${label} [OpenAPI schema]`, [String(e.message ?? e)]);
		}
		typed.push([label, path, `I${obj.kind}`, obj]);
	}
}

/* The strict pass: every object as a literal of its model's interface. */
if (typed.length) {
	const dir = mkdtempSync(join(tmpdir(), "kabistat-manifests-"));
	const src = join(here, "strict-check.ts");
	const lines = typed.map(([label, path, iface, obj], n) =>
		`import type { ${iface} as T${n} } from "${path}";\n` +
		`// ${label}\nexport const o${n}: T${n} = ${JSON.stringify(obj, null, 1)};\n`);
	writeFileSync(src, lines.join("\n"));
	const program = ts.createProgram([src], {
		strict: true, noEmit: true, skipLibCheck: true,
		module: ts.ModuleKind.NodeNext,
		moduleResolution: ts.ModuleResolutionKind.NodeNext,
		target: ts.ScriptTarget.ES2022,
	});
	const diags = ts.getPreEmitDiagnostics(program);
	const byObject = typed.map(() => []);
	const text = readFileSync(src, "utf8");
	const starts = typed.map((_, n) => text.indexOf(`// `, text.indexOf(`as T${n} }`)));
	for (const d of diags) {
		const msg = ts.flattenDiagnosticMessageText(d.messageText, " ");
		let n = 0;
		if (d.start !== undefined)
			starts.forEach((at, k) => { if (at <= d.start) n = k; });
		const where = d.file && d.start !== undefined ?
			`line ${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : "";
		byObject[n].push(where + msg);
	}
	typed.forEach(([label], n) =>
		report(`${label} [no unknown fields: tsc --strict]`, byObject[n]));
	rmSync(src);
	rmSync(dir, { recursive: true, force: true });
}

/* Between the documents. */
const find = (kind) => all.filter(([, o]) => o.kind === kind);
for (const [file, m] of find("Module")) {
	const ns = m.metadata?.namespace;
	const errs = [];
	for (const km of m.spec?.moduleLoader?.container?.kernelMappings ?? []) {
		const name = km.build?.dockerfileConfigMap?.name;
		if (!name)
			continue;
		const cm = find("ConfigMap").find(([, c]) =>
			c.metadata?.name === name && c.metadata?.namespace === ns);
		if (!cm) {
			errs.push(`no ConfigMap ${ns}/${name}`);
			continue;
		}
		const want = readFileSync(join(dirname(cm[0]), "kmod.Containerfile"), "utf8");
		if (cm[1].data?.dockerfile !== want)
			errs.push(`ConfigMap ${ns}/${name}: dockerfile is not kmod.Containerfile`);
	}
	report(`${file}: Module ${ns}/${m.metadata?.name}: its Dockerfile ConfigMap`, errs);
	const label = `kmm.node.kubernetes.io/${ns}.${m.metadata?.name}.ready`;
	for (const [dfile, ds] of find("DaemonSet")) {
		const terms = ds.spec?.template?.spec?.affinity?.nodeAffinity?.
			requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
		const ok = terms.length && terms.every((t) => (t.matchExpressions ?? []).some(
			(e) => e.key === label && e.operator === "Exists"));
		report(`${dfile}: DaemonSet ${ds.metadata?.name} waits for ${label}`,
		       ok ? [] : ["no required node affinity on that label"]);
	}
}
for (const [file, pm] of find("PodMonitor")) {
	const sel = pm.spec?.selector?.matchLabels ?? {};
	const errs = [];
	const ds = find("DaemonSet").find(([, d]) => Object.entries(sel).every(
		([k, v]) => d.spec?.template?.metadata?.labels?.[k] === v));
	if (!ds || !Object.keys(sel).length) {
		errs.push("selects no DaemonSet's pods");
	} else {
		const ports = (ds[1].spec.template.spec.containers ?? []).flatMap(
			(c) => (c.ports ?? []).map((p) => p.name));
		for (const ep of pm.spec?.podMetricsEndpoints ?? [])
			if (!ports.includes(ep.port))
				errs.push(`port ${ep.port} is not a port of ${ds[1].metadata.name}`);
	}
	report(`${file}: PodMonitor ${pm.metadata?.name} scrapes the exporter's pods`, errs);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
