// oidc-provider ships no types for its in-memory adapter; the local test IdP extends it.
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  import type { Adapter } from 'oidc-provider';
  const MemoryAdapter: { new (model: string): Adapter & { model: string } };
  export default MemoryAdapter;
}
