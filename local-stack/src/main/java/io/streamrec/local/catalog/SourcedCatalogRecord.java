package io.streamrec.local.catalog;

import io.streamrec.schema.catalog.CatalogRecord;

/** A catalog record read from a file, with the 1-based line it came from (for error messages). */
public record SourcedCatalogRecord(long line, CatalogRecord record) {}
