/**
 * The largest IPLD block an actor may make (ref-fvm fvm@v4.8.2 NetworkConfig max_block_size, 1 MiB):
 * kernel block_create refuses a larger one with LimitExceeded, before it charges for it.
 */
export const MAX_BLOCK_SIZE = 1 << 20;
