/** A clock the test moves by hand; waiting advances it instead of sleeping. */
export function manualClock(start = 0) {
  let now = start;
  const waits: number[] = [];
  return {
    clock: () => now,
    wait: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    waits,
  };
}
