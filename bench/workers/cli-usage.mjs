// Preloaded (`node --import`) into the real `genesys-upload` CLI so that the benchmark measures
// exactly what users run, compiled, without tsx. On exit it reports, on stderr, the process's
// whole-life wall time, user+system CPU and peak RSS in the bench workers' report format.
const started = process.hrtime.bigint();
const startRssMiB = process.memoryUsage().rss / 1048576;
process.on('exit', (code) => {
  const usage = process.resourceUsage();
  const report = {
    ok: code === 0,
    wallSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    maxRssMiB: usage.maxRSS / 1024,
    startRssMiB,
    bytes: 0,
    extra: {},
    ...(code === 0 ? {} : { error: `the CLI exited with ${code}` }),
  };
  process.stderr.write(`BENCH-REPORT ${JSON.stringify(report)}\n`);
});
