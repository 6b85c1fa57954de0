/**
 * A CronJob's schedule and time zone as the API server judges them
 * (kubernetes pkg/apis/batch/validation validateScheduleFormat and
 * validateTimeZone). The schedule is parsed by robfig/cron v3.0.1's
 * ParseStandard (parser.go, spec.go), which Kubernetes vendors: five fields
 * (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of
 * week 0-6 or SUN-SAT: 7 is refused), each a comma-separated list of `*`,
 * `?`, `a`, `a-b`, with an optional `/step`; or a descriptor (@yearly,
 * @annually, @monthly, @weekly, @daily, @midnight, @hourly, `@every <Go
 * duration>`). "TZ" anywhere in a new schedule is refused (the timeZone
 * field replaces TZ= and CRON_TZ=).
 */

interface Bounds { readonly field: string; readonly min: number; readonly max: number; readonly names?: Readonly<Record<string, number>> }

const MONTHS = Object.fromEntries(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [m, i + 1]));
const DAYS = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d, i) => [d, i]));

const FIELDS: readonly Bounds[] = [
  { field: 'minute', min: 0, max: 59 },
  { field: 'hour', min: 0, max: 23 },
  { field: 'day of month', min: 1, max: 31 },
  { field: 'month', min: 1, max: 12, names: MONTHS },
  { field: 'day of week', min: 0, max: 6, names: DAYS },
];

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Go's time.ParseDuration grammar: "0", or signed numbers each with a unit. */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;

/** The characters Go's strings.Fields splits on (unicode.IsSpace). */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** strconv.Atoi as robfig's mustParseInt uses it: an optional sign and decimal digits; negative refused. */
function nonNegativeInt(text: string): number | string {
  if (!/^[+-]?\d+$/.test(text)) return `${JSON.stringify(text)} is not a number`;
  // Past int64 Atoi fails; any number that long is above every maximum anyway.
  if (text.replace(/^[+-]?0*/, '').length > 18) return `${JSON.stringify(text)} is out of range`;
  const n = Number(text);
  return n < 0 ? `negative number ${JSON.stringify(text)} not allowed` : n;
}

function intOrName(text: string, b: Bounds): number | string {
  const named = b.names?.[text.toLowerCase()];
  return named !== undefined ? named : nonNegativeInt(text);
}

/** The first problem of one field (getField / getRange), or undefined. */
function fieldProblem(text: string, b: Bounds): string | undefined {
  // strings.FieldsFunc on ',': empty items are skipped.
  for (const expr of text.split(',').filter(e => e !== '')) {
    const rangeAndStep = expr.split('/');
    const lowAndHigh = rangeAndStep[0].split('-');
    let start: number;
    let end: number;
    if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
      // robfig reads no upper bound after '*' (`*-5` is '*').
      [start, end] = [b.min, b.max];
    } else {
      const low = intOrName(lowAndHigh[0], b);
      if (typeof low === 'string') return `${b.field} ${JSON.stringify(expr)}: ${low}`;
      if (lowAndHigh.length > 2) return `${b.field} ${JSON.stringify(expr)}: too many hyphens`;
      const high = lowAndHigh.length === 2 ? intOrName(lowAndHigh[1], b) : low;
      if (typeof high === 'string') return `${b.field} ${JSON.stringify(expr)}: ${high}`;
      [start, end] = [low, high];
    }
    let step = 1;
    if (rangeAndStep.length > 2) return `${b.field} ${JSON.stringify(expr)}: too many slashes`;
    if (rangeAndStep.length === 2) {
      const s = nonNegativeInt(rangeAndStep[1]);
      if (typeof s === 'string') return `${b.field} ${JSON.stringify(expr)}: step ${s}`;
      step = s;
      // "N/step" means "N-max/step".
      if (lowAndHigh.length === 1) end = b.max;
    }
    if (start < b.min) return `${b.field} ${JSON.stringify(expr)}: ${start} is below the minimum ${b.min}`;
    if (end > b.max) return `${b.field} ${JSON.stringify(expr)}: ${end} is above the maximum ${b.max}`;
    if (start > end) return `${b.field} ${JSON.stringify(expr)}: the range starts after it ends`;
    if (step === 0) return `${b.field} ${JSON.stringify(expr)}: the step must be a positive number`;
  }
  return undefined;
}

/** Why the API server refuses `schedule` for a new CronJob, or undefined. */
export function cronScheduleProblem(schedule: string): string | undefined {
  if (schedule.includes('TZ')) return 'must not use TZ or CRON_TZ: set spec.timeZone instead';
  if (schedule === '') return 'is empty';
  if (schedule.startsWith('@')) {
    if (DESCRIPTORS.has(schedule)) return undefined;
    if (schedule.startsWith('@every ')) {
      return GO_DURATION.test(schedule.slice('@every '.length)) ? undefined : `has an @every duration Go cannot parse (e.g. @every 1h30m)`;
    }
    return `is not a descriptor (${[...DESCRIPTORS].join(', ')}, @every <duration>)`;
  }
  const fields = schedule.split(GO_SPACE).filter(f => f !== '');
  if (fields.length !== 5) return `has ${fields.length} fields: a schedule has exactly 5 (minute hour day-of-month month day-of-week), e.g. "*/15 * * * *"`;
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(fields[i], FIELDS[i]);
    if (problem) return `field ${problem}`;
  }
  return undefined;
}

/** IANA naming as validateTimeZone checks it before loading the zone. */
const TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

let canonicalZones: Map<string, string> | undefined;

/**
 * The zones of IANA tzdata's `etcetera` file (Etc/UTC, Etc/GMT, Etc/GMT-14 to Etc/GMT+12) and
 * their links in its `backward` file (Etc/UCT, Etc/Universal, Etc/Zulu, Etc/Greenwich, Etc/GMT0,
 * Etc/GMT+0, Etc/GMT-0). ICU knows each of them but leaves them out of
 * Intl.supportedValuesOf('timeZone'); listing them here spares building an ICU formatter
 * (about 25 ms the first time, a tenth of `npm run validate`'s rules) for the model's own
 * Etc/UTC, and lets the case check below know their spelling (etc/utc). A test checks that ICU
 * accepts each of them.
 */
export const ETC_TIME_ZONES: readonly string[] = [
  'UTC', 'UCT', 'Universal', 'Zulu', 'Greenwich', 'GMT', 'GMT0', 'GMT+0', 'GMT-0',
  ...Array.from({ length: 14 }, (_, i) => `GMT-${i + 1}`),
  ...Array.from({ length: 12 }, (_, i) => `GMT+${i + 1}`),
].map(name => `Etc/${name}`);

/** Zone names known without a formatter, by their lower-case form: ICU's list and the Etc zones. */
function knownZones(): Map<string, string> {
  canonicalZones ??= new Map([...Intl.supportedValuesOf('timeZone'), ...ETC_TIME_ZONES].map(z => [z.toLowerCase(), z]));
  return canonicalZones;
}

/**
 * Why the API server refuses `timeZone` (an IANA zone it can load), or undefined. The zone is
 * looked up in this Node's ICU time-zone database; the API server loads Go's tzdata: the two
 * agree on every zone of the IANA database, and both are case-sensitive (ICU is not, so a name
 * that differs from a canonical one only in case is refused here as Go's loader refuses it).
 */
export function timeZoneProblem(timeZone: string): string | undefined {
  if (timeZone === '') return 'must be a time zone name, not empty (or leave it out)';
  if (timeZone.split('/').some(part => part === '.' || part === '..' || part.startsWith('-') || !TIME_ZONE_PART.test(part))) {
    return 'is not an IANA time zone name (e.g. Europe/Paris, Etc/UTC)';
  }
  if (timeZone.toLowerCase() === 'local') return 'must be an explicit time zone (e.g. Etc/UTC), not Local';
  const known = knownZones().get(timeZone.toLowerCase());
  if (known === timeZone) return undefined;
  if (known !== undefined) return `is spelled ${known} (time zone names are case-sensitive)`;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return 'is not a time zone of the IANA database (e.g. Europe/Paris, Etc/UTC)';
  }
  return undefined;
}
