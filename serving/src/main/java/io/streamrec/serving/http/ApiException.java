package io.streamrec.serving.http;

/**
 * A request the API refuses, with the HTTP status, a stable machine-readable {@code error} code, a human
 * {@code detail} and, for bad input, the {@code parameter} at fault. Rendered by {@link ErrorMapper}.
 */
public final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    public final int status;
    public final String error;
    public final String parameter;

    public ApiException(int status, String error, String parameter, String detail) {
        super(detail);
        this.status = status;
        this.error = error;
        this.parameter = parameter;
    }

    /** 400 for a bad value of a named parameter. */
    public static ApiException invalid(String parameter, String detail) {
        return new ApiException(400, "invalid_parameter", parameter, detail);
    }

    public String detail() {
        return getMessage();
    }
}
