/**
 * Loads one of the element's companions (companions.ts) and, when it cannot load (offline, a
 * CDN that serves the script without the files beside it), rejects with an error that says
 * what did not load and names the file: the one wording for every companion.
 */
export async function loadCompanion<T>(
  what: string,
  file: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const why = error instanceof Error && error.message ? `: ${error.message}` : '';
    throw new Error(`the ${what} (${file}) did not load${why}`);
  }
}
