package io.github.sqlitecanary.internal;

/**
 * The configuration keys, named once; {@code CanaryOptions} publishes them. Here so that the
 * messages of the engine's parts can name the key to change without depending on the API.
 */
public final class ConfigKeys {

    public static final String PREFIX = "sqlite.canary.";
    public static final String ENABLED = PREFIX + "enabled";
    public static final String DATABASE = PREFIX + "database";
    public static final String DATASOURCE = PREFIX + "datasource";
    public static final String LOCK_DIR = PREFIX + "lock-dir";
    public static final String ON_FAILURE = PREFIX + "on-failure";
    public static final String FILESYSTEM_CHECK = PREFIX + "filesystem-check";
    public static final String TABLE = PREFIX + "table";
    public static final String DEPLOY_ID = PREFIX + "deploy-id";
    public static final String BUSY_TIMEOUT = PREFIX + "busy-timeout";
    public static final String EXPECT_VERIFIED = PREFIX + "expect-verified";

    private ConfigKeys() {
    }
}
