package io.streamrec.schema.catalog;

import io.streamrec.schema.Rejection;

/** Either a valid {@link CatalogRecord} or the {@link Rejection} saying why there is none. Immutable. */
public final class CatalogParseResult {
    private final CatalogRecord record;
    private final Rejection rejection;

    private CatalogParseResult(CatalogRecord record, Rejection rejection) {
        this.record = record;
        this.rejection = rejection;
    }

    public static CatalogParseResult valid(CatalogRecord record) {
        return new CatalogParseResult(record, null);
    }

    public static CatalogParseResult rejected(Rejection rejection) {
        return new CatalogParseResult(null, rejection);
    }

    public boolean isValid() {
        return record != null;
    }

    /** The record; throws when this result is a rejection. */
    public CatalogRecord record() {
        if (record == null) {
            throw new IllegalStateException("rejected: " + rejection);
        }
        return record;
    }

    /** The rejection; throws when this result is valid. */
    public Rejection rejection() {
        if (rejection == null) {
            throw new IllegalStateException("not rejected: " + record);
        }
        return rejection;
    }

    @Override
    public String toString() {
        return isValid() ? "valid " + record : "rejected " + rejection;
    }
}
