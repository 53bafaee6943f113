/** Kept in step with package.json by a unit test. */
export const QDBT_VERSION = '0.1.0';
