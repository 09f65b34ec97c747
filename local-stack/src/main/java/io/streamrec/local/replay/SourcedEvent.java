package io.streamrec.local.replay;

import io.streamrec.schema.InteractionEvent;

/** An event read from a log, with the 1-based line it came from (for error messages after sorting). */
public record SourcedEvent(long line, InteractionEvent event) {}
