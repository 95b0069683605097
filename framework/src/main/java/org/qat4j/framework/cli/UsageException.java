package org.qat4j.framework.cli;

/** A problem with what the user asked for: reported as one line on stderr with exit code 2. */
public class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
