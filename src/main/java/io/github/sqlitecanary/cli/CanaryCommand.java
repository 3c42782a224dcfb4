package io.github.sqlitecanary.cli;

import io.github.sqlitecanary.CanaryOptions;
import io.github.sqlitecanary.CanaryOptions.OnFailure;
import io.github.sqlitecanary.CanaryReport;
import io.github.sqlitecanary.CanaryState;
import io.github.sqlitecanary.PersistenceCanary;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The command line: {@code check} runs what the application runs at start, {@code status} reads
 * only. Every configuration key has a flag named after it ({@code sqlite.canary.lock-dir} is
 * {@code --lock-dir}), and the {@code SQLITE_CANARY_*} environment variables are read as
 * MicroProfile Config maps them, so that an init container and the application reach the same
 * verdict; flags win.
 *
 * <p>Exit code 0 when UP, 1 when DOWN, 2 for a usage error or an invalid value, 3 for an internal
 * error. With {@code --json} every outcome is one JSON object on standard output.
 */
public final class CanaryCommand {

    static final int UP = 0;
    static final int DOWN = 1;
    static final int USAGE = 2;
    static final int INTERNAL_ERROR = 3;

    private static final String FLAG_PREFIX = "--";

    static final String USAGE_TEXT = String.join("\n",
            "Usage: java -jar sqlite-persistence-canary-<version>-cli.jar <check|status> --database PATH|URL [options]",
            "",
            "  check    run the canary as the application's start does (may write the lock and the marker)",
            "  status   report the state that check would reach; reads only, creates and changes nothing",
            "",
            "Options (each also read from its environment variable, such as SQLITE_CANARY_LOCK_DIR; flags win):",
            "  --database PATH|URL      the SQLite database: a file path or a jdbc:sqlite: URL; repeat the flag",
            "                           for several (SQLITE_CANARY_DATABASE: a comma-separated list, \\, for a",
            "                           comma inside a value)",
            "  --lock-dir DIR           where lock files live; must be wiped by a redeploy",
            "                           (default: ${java.io.tmpdir}/sqlite-persistence-canary)",
            "  --deploy-id ID           identifier of the current deploy (image digest, pod UID); default: the",
            "                           platform's own deploy identity where one is known; none: no identifier",
            "  --expect-verified [BOOL] set once persistence is verified: a database without a marker is then",
            "                           DATABASE_LOST, never a new first boot (default: false; alone: true)",
            "  --filesystem-check BOOL  judge the database's storage (default: true); --no-filesystem-check",
            "  --table NAME             name of the marker table (default: persistence_canary)",
            "  --busy-timeout MILLIS    wait for a database locked by another process (default: 5000)",
            "  --on-failure MODE        readiness (default) or fail-startup: exit 1 when DOWN; log: exit 0",
            "  --enabled BOOL           false turns the canary off (DISABLED, exit 0)",
            "  --json                   print one JSON object",
            "  --help, --version",
            "",
            "Exit code: 0 when UP, 1 when DOWN, 2 for a usage error or an invalid value, 3 for an internal error.");

    private CanaryCommand() {
    }

    /**
     * Runs {@code check} or {@code status} and exits with the verdict's code (see {@code --help}).
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // UTF-8 whatever the locale: a container without one would print '?' for every non-ASCII
        // letter of a path, and for the ellipsis that stands for a hidden query string.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err, System::getenv));
    }

    /**
     * Runs one command.
     *
     * @param environment the process's environment variables, by name
     */
    static int run(String[] args, PrintStream out, PrintStream err, Function<String, String> environment) {
        boolean json = Arrays.asList(args).contains("--json");
        try {
            return runCommand(args, out, environment, json);
        } catch (UsageException e) {
            return fail(out, err, json, USAGE, e.getMessage(), true);
        } catch (RuntimeException | LinkageError e) {
            return fail(out, err, json, INTERNAL_ERROR, "internal error (" + e.getClass().getSimpleName()
                    + "): " + ReportFormat.withoutQueries(String.valueOf(e.getMessage())), false);
        }
    }

    private static int runCommand(String[] args, PrintStream out, Function<String, String> environment,
            boolean json) throws UsageException {
        if (args.length == 1 && List.of("--help", "-h", "help").contains(args[0])) {
            out.println(USAGE_TEXT);
            return UP;
        }
        if (args.length == 1 && args[0].equals("--version")) {
            out.println("sqlite-persistence-canary " + version(CanaryCommand.class));
            return UP;
        }
        if (args.length == 0 || !(args[0].equals("check") || args[0].equals("status"))) {
            throw new UsageException(args.length == 0 ? "no command given"
                    : "unknown command \"" + ReportFormat.withoutQueries(args[0]) + "\"");
        }
        Map<String, String> flags = new HashMap<>();
        List<String> databases = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--json")) {
                continue;
            }
            if (arg.equals("--no-filesystem-check")) {
                flags.put(CanaryOptions.FILESYSTEM_CHECK, "false");
                continue;
            }
            int equals = arg.indexOf('=');
            String flag = equals < 0 ? arg : arg.substring(0, equals);
            String key = keyOf(flag);
            String value;
            if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith(FLAG_PREFIX)) {
                value = args[++i];
            } else if (key.equals(CanaryOptions.EXPECT_VERIFIED)) {
                value = "true"; // a switch an operator turns on once: --expect-verified alone means true
            } else {
                throw new UsageException(flag + " needs a value");
            }
            if (key.equals(CanaryOptions.DATABASE)) {
                databases.add(value); // one database per flag: a comma is part of a path
            } else {
                flags.put(key, value);
            }
        }
        CanaryOptions options = CanaryOptions.fromConfig(new CommandLineValues(flags, databases, environment));
        if (options.enabled() && options.databases().isEmpty()) {
            throw new UsageException(new CommandLineValues(flags, databases, environment)
                    .value(CanaryOptions.DATASOURCE).isPresent()
                            ? "the command line cannot look up JNDI DataSources (" + CanaryOptions.DATASOURCE
                                    + " is set): give the database with --database"
                            : "--database is required (or SQLITE_CANARY_DATABASE)");
        }
        PersistenceCanary canary = new PersistenceCanary(options, environment);
        List<CanaryReport> reports = args[0].equals("status") ? canary.status() : canary.check();
        out.print(json ? ReportFormat.json(reports) : ReportFormat.text(reports));
        out.flush();
        return exitCode(reports, options.onFailure());
    }

    private static int exitCode(List<CanaryReport> reports, OnFailure onFailure) {
        if (reports.stream().anyMatch(r -> r.internalError().isPresent())) {
            return INTERNAL_ERROR;
        }
        if (reports.stream().anyMatch(r -> r.state() == CanaryState.MISCONFIGURED)) {
            return USAGE;
        }
        return onFailure == OnFailure.LOG || reports.stream().allMatch(CanaryReport::isUp) ? UP : DOWN;
    }

    /** {@code --lock-dir} is {@code sqlite.canary.lock-dir}; the command line has no JNDI. */
    private static String keyOf(String flag) throws UsageException {
        String key = flag.startsWith(FLAG_PREFIX) ? "sqlite.canary." + flag.substring(FLAG_PREFIX.length()) : flag;
        if (!CanaryOptions.KEYS.contains(key)) {
            throw new UsageException("unknown option \"" + ReportFormat.withoutQueries(flag) + "\"");
        }
        if (key.equals(CanaryOptions.DATASOURCE)) {
            throw new UsageException("--datasource names a JNDI DataSource, which exists only inside an "
                    + "application server; give the database with --database");
        }
        return key;
    }

    private static int fail(PrintStream out, PrintStream err, boolean json, int exitCode, String problem,
            boolean usage) {
        if (json) {
            out.print(ReportFormat.error(exitCode, problem));
            out.flush();
        } else {
            err.println("sqlite-persistence-canary: " + problem);
            if (usage) {
                err.println();
                err.println(USAGE_TEXT);
            }
        }
        return exitCode;
    }

    static String version(Class<?> type) {
        String version = type.getPackage() == null ? null : type.getPackage().getImplementationVersion();
        return version == null ? "(development build, not from a jar)" : version;
    }

    /** A usage error: exit 2, the problem and the usage text. */
    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Flags first, then environment variables as MicroProfile Config maps a key: the exact name,
     * then every character that is not a letter or digit as {@code _}, then that in upper case.
     */
    private record CommandLineValues(Map<String, String> flags, List<String> databases,
            Function<String, String> environment) implements CanaryOptions.Values {

        @Override
        public Optional<String> value(String key) {
            if (flags.containsKey(key)) {
                return Optional.of(flags.get(key));
            }
            String underscored = key.replaceAll("[^A-Za-z0-9]", "_");
            for (String name : List.of(key, underscored, underscored.toUpperCase(Locale.ROOT))) {
                String value = environment.apply(name);
                if (value != null) {
                    return Optional.of(value);
                }
            }
            return Optional.empty();
        }

        @Override
        public List<String> values(String key) {
            if (key.equals(CanaryOptions.DATABASE) && !databases.isEmpty()) {
                return databases;
            }
            return CanaryOptions.Values.super.values(key);
        }
    }
}
