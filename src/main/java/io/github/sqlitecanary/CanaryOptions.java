package io.github.sqlitecanary;

import io.github.sqlitecanary.internal.ConfigKeys;
import io.github.sqlitecanary.internal.DatabaseLocation;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The canary's settings, validated once, in one place, into one immutable value.
 *
 * <p>Built from any key-value source, MicroProfile Config in the CDI adapter, flags on the command
 * line, or the {@link Builder} in plain Java:
 *
 * <pre>{@code
 * CanaryOptions options = CanaryOptions.builder()
 *         .database("/data/app.db")
 *         .lockDirectory(Path.of("/tmp/sqlite-persistence-canary"))
 *         .build();
 * List<CanaryReport> reports = new PersistenceCanary(options).check();
 * }</pre>
 *
 * <p>{@link #DATABASE} and {@link #DATASOURCE} are lists, read as MicroProfile Config reads lists:
 * separated by commas, with {@code \,} for a comma inside one value.
 *
 * <p>An invalid value never throws: it is kept in {@link #problems()}, and the canary reports
 * {@link CanaryState#MISCONFIGURED} with a message that quotes the key, the value and the rule.
 */
public final class CanaryOptions {

    /** {@code sqlite.canary.enabled}: the master switch, default {@code true}. */
    public static final String ENABLED = ConfigKeys.ENABLED;
    /** {@code sqlite.canary.database}: database paths or {@code jdbc:sqlite:} URLs, a list. */
    public static final String DATABASE = ConfigKeys.DATABASE;
    /** {@code sqlite.canary.datasource}: JNDI names of SQLite {@code DataSource}s, a list. */
    public static final String DATASOURCE = ConfigKeys.DATASOURCE;
    /** {@code sqlite.canary.lock-dir}: where lock files live; a redeploy must wipe it. */
    public static final String LOCK_DIR = ConfigKeys.LOCK_DIR;
    /** {@code sqlite.canary.on-failure}: {@code readiness}, {@code fail-startup} or {@code log}. */
    public static final String ON_FAILURE = ConfigKeys.ON_FAILURE;
    /** {@code sqlite.canary.filesystem-check}: judge the database's storage, default {@code true}. */
    public static final String FILESYSTEM_CHECK = ConfigKeys.FILESYSTEM_CHECK;
    /** {@code sqlite.canary.table}: the marker table's name, default {@value #DEFAULT_TABLE}. */
    public static final String TABLE = ConfigKeys.TABLE;
    /** {@code sqlite.canary.deploy-id}: the current deploy's identifier; {@value #NO_DEPLOY_ID} for none. */
    public static final String DEPLOY_ID = ConfigKeys.DEPLOY_ID;
    /** {@code sqlite.canary.busy-timeout}: milliseconds to wait for a locked database. */
    public static final String BUSY_TIMEOUT = ConfigKeys.BUSY_TIMEOUT;
    /** {@code sqlite.canary.expect-verified}: a database without a marker is then data loss. */
    public static final String EXPECT_VERIFIED = ConfigKeys.EXPECT_VERIFIED;

    /** The value of {@link #DEPLOY_ID} that turns the platform's deploy identity off. */
    public static final String NO_DEPLOY_ID = "none";

    /** Every key the canary reads, in the order of the documentation. */
    public static final List<String> KEYS = List.of(ENABLED, DATABASE, DATASOURCE, LOCK_DIR, ON_FAILURE,
            FILESYSTEM_CHECK, TABLE, DEPLOY_ID, BUSY_TIMEOUT, EXPECT_VERIFIED);

    /** The marker table's default name. */
    public static final String DEFAULT_TABLE = "persistence_canary";
    /** The default busy timeout, in milliseconds. */
    public static final int DEFAULT_BUSY_TIMEOUT_MILLIS = 5000;
    static final String LOCK_DIR_NAME = "sqlite-persistence-canary";

    // A plain SQL identifier: nothing to quote, nothing to inject, not one of SQLite's own tables.
    private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final int MAX_DEPLOY_ID_LENGTH = 200;

    /** What happens when a database is DOWN. */
    public enum OnFailure {
        /** Start, and keep the readiness check DOWN (the default). */
        READINESS,
        /** Fail the deployment with the guidance as the exception message. */
        FAIL_STARTUP,
        /** Only log; readiness stays UP. */
        LOG;

        /** {@return the configuration value, such as {@code fail-startup}} */
        public String value() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final boolean enabled;
    private final List<String> databases;
    private final List<String> dataSources;
    private final Path lockDirectory;
    private final OnFailure onFailure;
    private final boolean filesystemCheck;
    private final String table;
    private final String deployId;
    private final boolean platformDeployId;
    private final int busyTimeoutMillis;
    private final boolean expectVerified;
    private final List<String> problems;

    /**
     * A configuration source: answers a key with its value, or with nothing where it is not set.
     * A source that has a list API of its own (MicroProfile Config's {@code getOptionalValues})
     * answers {@link #values} with it.
     */
    @FunctionalInterface
    public interface Values {

        /**
         * Answers a key.
         *
         * @param key a key of {@link CanaryOptions#KEYS}
         * @return its value, or empty where it is not set
         */
        Optional<String> value(String key);

        /**
         * A list key's values; by default the value split as MicroProfile Config splits lists.
         *
         * @param key a list key ({@link #DATABASE}, {@link #DATASOURCE})
         * @return its values, empty where it is not set
         */
        default List<String> values(String key) {
            return value(key).map(CanaryOptions::splitList).orElse(List.of());
        }
    }

    private CanaryOptions(Values config) {
        List<String> found = new ArrayList<>();
        Function<String, Optional<String>> value = config::value;
        this.enabled = parseBoolean(value, ENABLED, true, found);
        this.databases = withoutQueryFragments(trimmed(config.values(DATABASE)), found);
        this.dataSources = trimmed(config.values(DATASOURCE));
        this.lockDirectory = parseLockDirectory(value, found);
        this.onFailure = parseOnFailure(value, found);
        this.filesystemCheck = parseBoolean(value, FILESYSTEM_CHECK, true, found);
        this.table = parseTable(value, found);
        this.deployId = parseDeployId(value, found);
        this.platformDeployId = value.apply(DEPLOY_ID).isEmpty();
        this.busyTimeoutMillis = parseBusyTimeout(value, found);
        this.expectVerified = parseBoolean(value, EXPECT_VERIFIED, false, found);
        if (databases.isEmpty() && dataSources.isEmpty()) {
            found.add("no database is configured: set " + DATABASE + " to the database's path or jdbc:sqlite: URL, or "
                    + DATASOURCE + " to the JNDI name of its DataSource");
        }
        this.problems = List.copyOf(found);
    }

    /**
     * Reads and validates every key from a configuration source that answers a key with its value,
     * or with nothing where the key is not set.
     *
     * @param config the configuration source
     * @return the options; invalid values are listed in {@link #problems()}, never thrown
     */
    public static CanaryOptions fromConfig(Values config) {
        return new CanaryOptions(new Values() {
            @Override
            public Optional<String> value(String key) {
                return config.value(key).map(String::trim).filter(value -> !value.isEmpty());
            }

            @Override
            public List<String> values(String key) {
                return config.values(key);
            }
        });
    }

    /**
     * Splits a list value as MicroProfile Config does: at every comma that is not escaped as
     * {@code \,}; empty elements are dropped.
     *
     * @param value a list value
     * @return its elements
     */
    public static List<String> splitList(String value) {
        List<String> elements = new ArrayList<>();
        StringBuilder element = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length() && value.charAt(i + 1) == ',') {
                element.append(',');
                i++;
            } else if (c == ',') {
                elements.add(element.toString());
                element.setLength(0);
            } else {
                element.append(c);
            }
        }
        elements.add(element.toString());
        return trimmed(elements);
    }

    /** Escapes one value for a list: the inverse of {@link #splitList}. */
    static String escapeListElement(String value) {
        return value.replace(",", "\\,");
    }

    /**
     * {@code jdbc:sqlite:/d/x.db?password=a,b} split at its unescaped comma leaves "b", the rest of
     * a query string: never a database to create, and a piece of a secret never to show. A list
     * element after a URL with a query that does not look like a database (no path separator, no
     * URL) is taken for such a fragment, and dropped with a problem that says how to escape.
     */
    private static List<String> withoutQueryFragments(List<String> databases, List<String> problems) {
        for (int i = 1; i < databases.size(); i++) {
            String before = databases.get(i - 1);
            String element = databases.get(i);
            boolean afterQuery = !DatabaseLocation.withoutQuery(before).equals(before);
            boolean looksLikeADatabase = element.contains("/") || element.contains("\\") || element.startsWith(":")
                    || element.regionMatches(true, 0, "jdbc:", 0, 5) || element.regionMatches(true, 0, "file:", 0, 5);
            if (afterQuery && !looksLikeADatabase) {
                problems.add(DATABASE + " holds a comma inside the query string of " + DatabaseLocation.withoutQuery(before)
                        + " (the rest is not shown: it may hold a key); escape a comma inside one value as \\,");
                return databases.subList(0, i);
            }
        }
        return databases;
    }

    private static List<String> trimmed(List<String> values) {
        return values.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** {@return a builder of options in code, validated as configured ones are}
     *
     * <pre>{@code CanaryOptions options = CanaryOptions.builder().database("/data/app.db").build();}</pre>
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return whether the canary runs at all ({@link #ENABLED})} */
    public boolean enabled() {
        return enabled;
    }

    /** {@return database paths or {@code jdbc:sqlite:} URLs, as configured} */
    public List<String> databases() {
        return databases;
    }

    /** {@return JNDI names of SQLite {@code DataSource}s} */
    public List<String> dataSources() {
        return dataSources;
    }

    /** {@return the directory of the lock files ({@link #LOCK_DIR})} */
    public Path lockDirectory() {
        return lockDirectory;
    }

    /** {@return what happens when a database is DOWN ({@link #ON_FAILURE})} */
    public OnFailure onFailure() {
        return onFailure;
    }

    /** {@return whether the database's storage is judged ({@link #FILESYSTEM_CHECK})} */
    public boolean filesystemCheck() {
        return filesystemCheck;
    }

    /** {@return the marker table's name ({@link #TABLE})} */
    public String table() {
        return table;
    }

    /**
     * The configured deploy identifier; empty when none is configured or when it is
     * {@value #NO_DEPLOY_ID}.
     *
     * @return the configured deploy identifier, if any
     */
    public Optional<String> deployId() {
        return Optional.ofNullable(deployId);
    }

    /**
     * Whether the platform's own deploy identity (an image reference, a deployment id, a container
     * id, a pod UID) serves as the deploy identifier: when {@link #DEPLOY_ID} is not set at all.
     *
     * @return {@code true} when {@link #DEPLOY_ID} is not set
     */
    public boolean platformDeployId() {
        return platformDeployId;
    }

    /**
     * Whether persistence was verified before ({@link #EXPECT_VERIFIED}): a database without a
     * marker is then {@link CanaryState#DATABASE_LOST}, never a new first boot.
     *
     * @return the value of {@link #EXPECT_VERIFIED}
     */
    public boolean expectVerified() {
        return expectVerified;
    }

    /** {@return milliseconds to wait for a database locked by another process ({@link #BUSY_TIMEOUT})} */
    public int busyTimeoutMillis() {
        return busyTimeoutMillis;
    }

    /** {@return what is wrong with the configuration, one sentence per problem; empty when it can be used} */
    public List<String> problems() {
        return problems;
    }

    private static boolean parseBoolean(Function<String, Optional<String>> config, String key, boolean fallback,
            List<String> problems) {
        Optional<String> value = config.apply(key);
        if (value.isEmpty()) {
            return fallback;
        }
        switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                problems.add(quote(key, value.get()) + " must be true or false");
                // An unreadable switch must not silently turn the canary off: fail safe.
                return fallback;
        }
    }

    private static Path parseLockDirectory(Function<String, Optional<String>> config, List<String> problems) {
        Path fallback = Path.of(System.getProperty("java.io.tmpdir"), LOCK_DIR_NAME);
        Optional<String> value = config.apply(LOCK_DIR);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Path.of(value.get()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            problems.add(quote(LOCK_DIR, value.get()) + " is not a usable path: " + e.getReason());
            return fallback;
        }
    }

    private static OnFailure parseOnFailure(Function<String, Optional<String>> config, List<String> problems) {
        Optional<String> value = config.apply(ON_FAILURE);
        if (value.isEmpty()) {
            return OnFailure.READINESS;
        }
        for (OnFailure candidate : OnFailure.values()) {
            if (candidate.value().equalsIgnoreCase(value.get())) {
                return candidate;
            }
        }
        problems.add(quote(ON_FAILURE, value.get()) + " must be one of readiness, fail-startup, log");
        return OnFailure.READINESS;
    }

    private static String parseTable(Function<String, Optional<String>> config, List<String> problems) {
        Optional<String> value = config.apply(TABLE);
        if (value.isEmpty()) {
            return DEFAULT_TABLE;
        }
        String table = value.get();
        if (!PLAIN_IDENTIFIER.matcher(table).matches() || table.toLowerCase(Locale.ROOT).startsWith("sqlite_")) {
            problems.add(quote(TABLE, table) + " must be a plain SQL identifier (letters, digits and _, "
                    + "not starting with a digit or sqlite_, at most 64 characters)");
            return DEFAULT_TABLE;
        }
        return table;
    }

    private static String parseDeployId(Function<String, Optional<String>> config, List<String> problems) {
        Optional<String> value = config.apply(DEPLOY_ID);
        if (value.isEmpty()) {
            return null;
        }
        String id = value.get();
        if (id.equalsIgnoreCase(NO_DEPLOY_ID)) {
            return null;
        }
        if (id.length() > MAX_DEPLOY_ID_LENGTH || id.chars().anyMatch(Character::isISOControl)) {
            problems.add(DEPLOY_ID + " must be at most " + MAX_DEPLOY_ID_LENGTH
                    + " characters without control characters (found " + id.length() + " characters)");
            return null;
        }
        return id;
    }

    private static int parseBusyTimeout(Function<String, Optional<String>> config, List<String> problems) {
        Optional<String> value = config.apply(BUSY_TIMEOUT);
        if (value.isEmpty()) {
            return DEFAULT_BUSY_TIMEOUT_MILLIS;
        }
        try {
            int millis = Integer.parseInt(value.get());
            if (millis >= 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(quote(BUSY_TIMEOUT, value.get()) + " must be a whole number of milliseconds from 0 to "
                + Integer.MAX_VALUE);
        return DEFAULT_BUSY_TIMEOUT_MILLIS;
    }

    private static String quote(String key, String value) {
        return key + "=\"" + value + "\"";
    }

    /** Sets options by their meaning; {@link #build()} validates them like any other source. */
    public static final class Builder {
        private final Map<String, String> values = new HashMap<>();

        private Builder() {
        }

        /**
         * Sets any key of {@link CanaryOptions#KEYS} to its textual value, as a configuration file would.
         *
         * @param key a key of {@link CanaryOptions#KEYS}
         * @param value its value, validated by {@link #build()}
         * @return this builder
         * @throws IllegalArgumentException for a key the canary does not read
         */
        public Builder set(String key, String value) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key " + key + "; known keys: " + KEYS);
            }
            values.put(key, value);
            return this;
        }

        /**
         * Sets {@link CanaryOptions#ENABLED}.
         *
         * @param enabled {@code false} turns the canary off
         * @return this builder
         */
        public Builder enabled(boolean enabled) {
            return set(ENABLED, Boolean.toString(enabled));
        }

        /**
         * Adds a database; call again to add more.
         *
         * @param database a path or {@code jdbc:sqlite:} URL
         * @return this builder
         */
        public Builder database(String database) {
            values.merge(DATABASE, escapeListElement(database), (a, b) -> a + "," + b);
            return this;
        }

        /**
         * Sets {@link CanaryOptions#LOCK_DIR}.
         *
         * @param directory a directory that every redeploy wipes
         * @return this builder
         */
        public Builder lockDirectory(Path directory) {
            return set(LOCK_DIR, directory.toString());
        }

        /**
         * Sets {@link CanaryOptions#ON_FAILURE}.
         *
         * @param onFailure what happens when a database is DOWN
         * @return this builder
         */
        public Builder onFailure(OnFailure onFailure) {
            return set(ON_FAILURE, onFailure.value());
        }

        /**
         * Sets {@link CanaryOptions#FILESYSTEM_CHECK}.
         *
         * @param check {@code false} turns storage verdicts into warnings
         * @return this builder
         */
        public Builder filesystemCheck(boolean check) {
            return set(FILESYSTEM_CHECK, Boolean.toString(check));
        }

        /**
         * Sets {@link CanaryOptions#TABLE}.
         *
         * @param table a plain identifier, not starting with {@code sqlite_}
         * @return this builder
         */
        public Builder table(String table) {
            return set(TABLE, table);
        }

        /**
         * Sets {@link CanaryOptions#DEPLOY_ID}.
         *
         * @param deployId the current deploy's identifier, or {@value CanaryOptions#NO_DEPLOY_ID}
         * @return this builder
         */
        public Builder deployId(String deployId) {
            return set(DEPLOY_ID, deployId);
        }

        /**
         * Sets {@link CanaryOptions#EXPECT_VERIFIED}.
         *
         * @param expectVerified {@code true} once persistence was verified
         * @return this builder
         */
        public Builder expectVerified(boolean expectVerified) {
            return set(EXPECT_VERIFIED, Boolean.toString(expectVerified));
        }

        /**
         * Sets {@link CanaryOptions#BUSY_TIMEOUT}.
         *
         * @param millis milliseconds to wait for a locked database
         * @return this builder
         */
        public Builder busyTimeoutMillis(int millis) {
            return set(BUSY_TIMEOUT, Integer.toString(millis));
        }

        /** {@return the options, validated; problems are listed in {@link CanaryOptions#problems()}} */
        public CanaryOptions build() {
            return fromConfig((Values) key -> Optional.ofNullable(values.get(key)));
        }
    }
}
