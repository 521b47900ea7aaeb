// Colour is for a person at a terminal, and only colour: NO_COLOR (no-color.org: set and not empty)
// and --no-color turn it off without changing prompts, the live view or what is printed.
const CODES = { green: 32, red: 31, yellow: 33, cyan: 36, bold: 1 } as const;
export type Colour = keyof typeof CODES;

let refused = false;

/** `--no-color`: no colour for the rest of the process (the live view too: FORCE_COLOR before ink loads). */
export function refuseColour(): void {
  refused = true;
  process.env.FORCE_COLOR = '0';
}

export function colourOn(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return !refused && !!stream.isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

export function paint(text: string, colour: Colour): string {
  return `\u001b[${CODES[colour]}m${text}\u001b[0m`;
}

// Terraform's plan colours: + green, - red, ~ yellow; a replacement reads -/+ in red and green.
const PLAN_LINE = /^(\s+)(-\/\+|\+|-|~)(\s)/;

/** The plan text for stdout: coloured when stdout is a terminal that takes colour. */
export function planForStdout(text: string): string {
  return colourOn(process.stdout) ? colourPlan(text) : text;
}

/**
 * The plan text with each action's symbol coloured, as `terraform plan` at a terminal. Only inside the
 * action sections (from a `  # machines` heading on): the `  - ` bullets under `Notes:` or `Warnings:`
 * (a heading at column 0) are not removals and stay uncoloured.
 */
export function colourPlan(text: string): string {
  let inActions = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^ {2}# /.test(line)) inActions = true;
      else if (/^\S/.test(line)) inActions = false;
      if (!inActions) return line;
      return line.replace(PLAN_LINE, (_, indent: string, sym: string, gap: string) => {
        const painted = sym === '-/+' ? `${paint('-', 'red')}/${paint('+', 'green')}` : paint(sym, sym === '+' ? 'green' : sym === '-' ? 'red' : 'yellow');
        return `${indent}${painted}${gap}`;
      });
    })
    .join('\n');
}
