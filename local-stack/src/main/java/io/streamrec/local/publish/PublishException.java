package io.streamrec.local.publish;

/**
 * Kafka could not take the events: the broker is unreachable, the topic is missing, or a send failed. The message
 * is meant for the person running the tool and names the setting to check.
 */
public final class PublishException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PublishException(String message) {
        super(message);
    }

    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
