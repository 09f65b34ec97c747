package io.streamrec.serving.store;

/** A RocksDB operation failed; the state directory is unusable or full. Not caused by client input. */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
