// The cluster examples as an operator applies them: the manifests and the sbatch script are
// complete and agree with each other, and --shard auto numbers shards as the engines do, with
// several local processes started the way a Job's pods or an array's tasks are.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { parseAll } from "@std/yaml";

const root = fromFileUrl(new URL("../", import.meta.url));
const cluster = join(root, "examples/cluster");

// deno-lint-ignore no-explicit-any
type Doc = Record<string, any>;

/** `deno task <args>` from the repository, with only the given variables beside PATH and HOME. */
async function task(args: string[], env: Record<string, string> = {}) {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--config", join(root, "deno.json"), ...args],
    cwd: root,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: result.code, err: new TextDecoder().decode(result.stderr) };
}

Deno.test("the Kubernetes manifests: an Indexed Job whose JOB_COMPLETIONS is its completions", async () => {
  const docs = parseAll(await Deno.readTextFile(join(cluster, "breakout-mc.yaml"))) as Doc[];
  assertEquals(docs.map((d) => d.kind), ["PersistentVolumeClaim", "Job"]);
  const [claim, job] = docs as [Doc, Doc];
  assertEquals(claim.spec.accessModes, ["ReadWriteMany"]); // every pod writes its partial
  assertEquals(job.apiVersion, "batch/v1");
  assertEquals(job.spec.completionMode, "Indexed");
  const pod = job.spec.template.spec;
  assertEquals(pod.restartPolicy, "Never");
  const [container] = pod.containers;
  const env = Object.fromEntries(container.env.map((e: Doc) => [e.name, e.value]));
  assertEquals(Number(env.JOB_COMPLETIONS), job.spec.completions);
  const args: string[] = container.args;
  assertEquals(args.slice(0, 3), ["task", "run", "scenarios/breakout.jsonc"]);
  assertEquals(args[args.indexOf("--shard") + 1], "auto");
  const out = args[args.indexOf("--out") + 1];
  assertEquals(container.volumeMounts[0].mountPath, out);
  assertEquals(pod.volumes[0].persistentVolumeClaim.claimName, claim.metadata.name);
  const [merge] = parseAll(await Deno.readTextFile(join(cluster, "breakout-merge.yaml"))) as Doc[];
  const mergeSpec = merge!.spec.template.spec;
  assertEquals(mergeSpec.volumes[0].persistentVolumeClaim.claimName, claim.metadata.name);
  assertStringIncludes(
    mergeSpec.containers[0].args[0],
    `deno task merge ${out}/breakout.part-*-of-${job.spec.completions}.json`,
  );
  assertStringIncludes(await Deno.readTextFile(join(cluster, "Dockerfile")), "WORKDIR /app");
  assertEquals(container.image, merge!.spec.template.spec.containers[0].image);
});

Deno.test("the sbatch script: an array of consecutive ids, --shard auto, a merge of that many", async () => {
  const script = await Deno.readTextFile(join(cluster, "breakout-mc.sbatch"));
  assert(script.startsWith("#!/bin/bash\n"));
  const array = /^#SBATCH --array=(\d+)-(\d+)$/m.exec(script);
  assert(array, "an --array line");
  const count = Number(array[2]) - Number(array[1]) + 1;
  assertStringIncludes(script, "--shard auto");
  assertStringIncludes(script, `deno task merge results/breakout.part-*-of-${count}.json`);
  const check = await new Deno.Command("bash", {
    args: ["-n", join(cluster, "breakout-mc.sbatch")],
  })
    .output();
  assertEquals(check.code, 0, "bash parses it");
});

/** Runs a batch of `shards` processes as an engine starts them, then merges, and compares. */
async function asEngine(shards: number, envOf: (i: number) => Record<string, string>) {
  const dir = await Deno.makeTempDir();
  const runs = ["run", "scenarios/breakout.jsonc", "--runs", "600", "--steps", "50", "--quiet"];
  const results = await Promise.all(
    Array.from(
      { length: shards },
      (_, i) => task([...runs, "--shard", "auto", "--out", dir], envOf(i)),
    ),
  );
  for (const result of results) assertEquals(result.code, 0, result.err);
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assertEquals(
    names,
    Array.from({ length: shards }, (_, i) => `breakout.part-${i + 1}-of-${shards}.json`),
  );
  const merged = join(dir, "merged");
  const merge = await task([
    "merge",
    ...names.map((n) => join(dir, n)),
    "--out",
    merged,
    "--quiet",
  ]);
  assertEquals(merge.code, 0, merge.err);
  const whole = join(dir, "whole");
  assertEquals((await task([...runs, "--out", whole])).code, 0);
  const summary = (d: string) => Deno.readTextFile(join(d, "breakout.summary.json"));
  assertEquals(await summary(merged), await summary(whole));
  return dir;
}

Deno.test("--shard auto in a Kubernetes Indexed Job's pods: merged, the whole batch", async () => {
  await asEngine(3, (i) => ({ JOB_COMPLETION_INDEX: String(i), JOB_COMPLETIONS: "3" }));
});

Deno.test("--shard auto in a Slurm array's tasks: merged, the whole batch; merge names the missing", async () => {
  const dir = await asEngine(3, (i) => ({
    SLURM_ARRAY_TASK_ID: String(i + 1),
    SLURM_ARRAY_TASK_MIN: "1",
    SLURM_ARRAY_TASK_COUNT: "3",
  }));
  const partial = await task([
    "merge",
    join(dir, "breakout.part-2-of-3.json"),
    "--out",
    join(dir, "m2"),
  ]);
  assertEquals(partial.code, 2);
  assertStringIncludes(partial.err, "missing shards 1/3, 3/3");
});

Deno.test("--shard auto outside an engine, or with a half-set environment, says what is missing", async () => {
  const args = [
    "run",
    "scenarios/breakout.jsonc",
    "--runs",
    "10",
    "--shard",
    "auto",
    "--out",
    await Deno.makeTempDir(),
  ];
  const none = await task(args);
  assertEquals(none.code, 2);
  assertStringIncludes(
    none.err,
    "found neither JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID",
  );
  const half = await task(args, { JOB_COMPLETION_INDEX: "0" });
  assertStringIncludes(half.err, 'JOB_COMPLETIONS (set it to the Job\'s completions) is "unset"');
});
