// The link part of make bench (filled in by the IO-bound lab).
export async function linkBench() {
  return { json: null, markdown: [] };
}
