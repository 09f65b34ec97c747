package io.streamrec.local.replay;

import io.streamrec.schema.ParserOptions;

/**
 * What a {@link LogReader} needs besides the file: the type mapping, the CSV layout (csv only), the lowest rating
 * kept (MovieLens only; null keeps all) and the parser options used to read our own event JSON (events only).
 */
public record ReaderOptions(TypeMapping types, CsvLayout csvLayout, Double minRating, ParserOptions eventParserOptions) {}
