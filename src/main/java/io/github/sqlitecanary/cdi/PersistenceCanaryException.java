package io.github.sqlitecanary.cdi;

/**
 * Thrown at start in {@code sqlite.canary.on-failure=fail-startup} mode to fail the deployment;
 * its message is the canary's guidance.
 */
public class PersistenceCanaryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception that fails the deployment.
     *
     * @param guidance the canary's guidance for each DOWN database
     */
    public PersistenceCanaryException(String guidance) {
        super(guidance);
    }
}
