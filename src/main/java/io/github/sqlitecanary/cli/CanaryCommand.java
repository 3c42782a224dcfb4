package io.github.sqlitecanary.cli;

import io.github.sqlitecanary.CanaryOptions;
import io.github.sqlitecanary.CanaryReport;
import io.github.sqlitecanary.PersistenceCanary;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command line: {@code check} runs what the application runs at start, {@code status} reads
 * only. Exit code 0 when UP, 1 when DOWN, 2 for a usage error.
 */
public final class CanaryCommand {

    static final int UP = 0;
    static final int DOWN = 1;
    static final int USAGE = 2;

    static final String USAGE_TEXT = String.join("\n",
            "Usage: java -jar sqlite-persistence-canary-cli.jar <check|status> --database PATH|URL [options]",
            "",
            "  check    run the canary as the application's start does (may write the lock and the marker)",
            "  status   report the state that check would reach; reads only, creates nothing",
            "",
            "Options:",
            "  --database PATH|URL      the SQLite database: a file path or a jdbc:sqlite: URL (repeatable)",
            "  --lock-dir DIR           where lock files live; must be wiped by a redeploy",
            "                           (default: ${java.io.tmpdir}/sqlite-persistence-canary)",
            "  --deploy-id ID           identifier of the current deploy (image digest, pod UID)",
            "  --no-filesystem-check    do not judge the database's file-system type",
            "  --json                   print one JSON object",
            "",
            "Exit code: 0 when UP, 1 when DOWN, 2 for a usage error.");

    private CanaryCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            out.println(USAGE_TEXT);
            return UP;
        }
        if (args.length == 0 || !(args[0].equals("check") || args[0].equals("status"))) {
            return usage(err, args.length == 0 ? "no command given" : "unknown command \"" + args[0] + "\"");
        }
        boolean readOnly = args[0].equals("status");
        Map<String, String> config = new HashMap<>();
        boolean json = false;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--json" -> json = true;
                case "--no-filesystem-check" -> config.put(CanaryOptions.FILESYSTEM_CHECK, "false");
                case "--database", "--lock-dir", "--deploy-id" -> {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        return usage(err, arg + " needs a value");
                    }
                    String value = args[++i];
                    String key = switch (arg) {
                        case "--database" -> CanaryOptions.DATABASE;
                        case "--lock-dir" -> CanaryOptions.LOCK_DIR;
                        default -> CanaryOptions.DEPLOY_ID;
                    };
                    config.merge(key, value, (a, b) -> key.equals(CanaryOptions.DATABASE) ? a + "," + b : b);
                }
                default -> {
                    return usage(err, "unknown option \"" + arg + "\"");
                }
            }
        }
        if (!config.containsKey(CanaryOptions.DATABASE)) {
            return usage(err, "--database is required");
        }
        PersistenceCanary canary = new PersistenceCanary(
                CanaryOptions.fromConfig(key -> Optional.ofNullable(config.get(key))));
        List<CanaryReport> reports = readOnly ? canary.status() : canary.check();
        out.print(json ? ReportFormat.json(reports) : ReportFormat.text(reports));
        out.flush();
        return reports.stream().allMatch(CanaryReport::isUp) ? UP : DOWN;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("sqlite-persistence-canary: " + problem);
        err.println();
        err.println(USAGE_TEXT);
        return USAGE;
    }
}
