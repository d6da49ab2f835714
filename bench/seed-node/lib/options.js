// Command-line options as `--name value` pairs; `--cpu-of NAME=PID` may repeat.
export function parseOptions(argv, defaults) {
  const options = { ...defaults, cpuOf: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (value === undefined) {
      throw new Error(`${argv[i]} needs a value`);
    }
    if (name === 'cpu-of') {
      const [processName, pid] = value.split('=');
      options.cpuOf.push({ name: processName, pid: Number(pid) });
    } else if (name in defaults) {
      options[name] = value;
    } else {
      throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return options;
}

// "20s", "500ms" or a number of seconds, as milliseconds.
export function milliseconds(text) {
  const match = /^([0-9.]+)(ms|s)?$/.exec(String(text));
  if (!match) {
    throw new Error(`not a duration: ${text}`);
  }
  return match[2] === 'ms' ? Number(match[1]) : Number(match[1]) * 1000;
}
