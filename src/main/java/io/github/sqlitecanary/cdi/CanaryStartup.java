package io.github.sqlitecanary.cdi;

import io.github.sqlitecanary.CanaryOptions;
import io.github.sqlitecanary.CanaryOptions.OnFailure;
import io.github.sqlitecanary.CanaryReport;
import io.github.sqlitecanary.PersistenceCanary;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Runs the canary once when the application starts, logs every DOWN verdict with its full
 * guidance, and fails the deployment in {@code on-failure=fail-startup} mode, and only then.
 *
 * <p>Configuration is read here, at start, and not in the readiness check: Payara creates the
 * check lazily, on the first request, with a class loader that cannot see the application's
 * {@code microprofile-config.properties}.
 */
@ApplicationScoped
public class CanaryStartup {

    static final System.Logger LOG = System.getLogger("io.github.sqlitecanary");

    /**
     * The verdict of the start, and what the readiness check reports from it.
     *
     * @param onFailure what a DOWN verdict does
     * @param reports one report per database
     */
    public record Result(OnFailure onFailure, List<CanaryReport> reports) {
        /**
         * A verdict holding its own copy of the reports.
         *
         * @param onFailure what a DOWN verdict does
         * @param reports one report per database
         */
        public Result {
            reports = List.copyOf(reports);
        }

        /** {@return whether the application may become ready: every database UP, or only logging was asked for} */
        public boolean ready() {
            return onFailure == OnFailure.LOG || reports.stream().allMatch(CanaryReport::isUp);
        }
    }

    /** Guards {@link #started} and {@link #latest}: concurrent probes must not overwrite each other. */
    private final Object lock = new Object();
    private Result started;
    private List<CanaryReport> latest;

    void onStartup(@Observes @Initialized(ApplicationScoped.class) Object event) {
        OnFailure onFailure = OnFailure.READINESS;
        List<CanaryReport> reports;
        try {
            Config config = ConfigProvider.getConfig();
            CanaryOptions options = CanaryOptions.fromConfig(new CanaryOptions.Values() {
                @Override
                public Optional<String> value(String key) {
                    return config.getOptionalValue(key, String.class);
                }

                @Override
                public List<String> values(String key) {
                    return config.getOptionalValues(key, String.class).orElse(List.of());
                }
            });
            onFailure = options.onFailure();
            reports = new PersistenceCanary(options).check();
        } catch (RuntimeException | LinkageError e) {
            // The canary itself never throws; this is configuration that cannot be read at all.
            reports = List.of(CanaryReport.ofInternalError(e));
        }
        synchronized (lock) {
            started = new Result(onFailure, reports);
            latest = reports;
        }
        reports.forEach(CanaryStartup::log);
        List<CanaryReport> down = reports.stream().filter(r -> !r.isUp()).toList();
        if (onFailure == OnFailure.FAIL_STARTUP && !down.isEmpty()) {
            throw new PersistenceCanaryException(down.stream()
                    .map(r -> "sqlite-persistence-canary " + r.state() + ": " + r.message())
                    .collect(Collectors.joining("\n")));
        }
    }

    /**
     * The verdict now: the start's reports after the cheap run-time re-check (one {@code stat} of
     * each verified database file). Empty until the application has started. A database that
     * vanished stays {@code DATABASE_VANISHED} until a restart; a verdict that changed is logged once.
     *
     * @return the current verdict, empty before the start
     */
    public Optional<Result> current() {
        synchronized (lock) {
            if (started == null) {
                return Optional.empty();
            }
            List<CanaryReport> now = new ArrayList<>();
            List<CanaryReport> next = new ArrayList<>();
            for (CanaryReport before : latest) {
                CanaryReport after = PersistenceCanary.recheck(before);
                boolean changed = after.state() != before.state();
                if (changed) {
                    log(after);
                }
                now.add(after);
                // A changed verdict sticks; a passing warning (a stat that failed once) does not.
                next.add(changed ? after : before);
            }
            latest = next;
            return Optional.of(new Result(started.onFailure(), now));
        }
    }

    static void log(CanaryReport report) {
        StringBuilder line = new StringBuilder("sqlite-persistence-canary ").append(report.state())
                .append(report.isUp() ? " (UP) " : " (DOWN) ").append(report.database()).append(": ")
                .append(report.message());
        if (!CanaryReport.NONE.equals(report.lock())) {
            line.append(" [lock: ").append(report.lock()).append("; filesystem: ").append(report.filesystem())
                    .append(']');
        }
        for (String warning : report.warnings()) {
            line.append("\n  warning: ").append(warning);
        }
        LOG.log(report.isUp() ? Level.INFO : Level.WARNING, line.toString());
        if (report.isUp() && !report.warnings().isEmpty()) {
            LOG.log(Level.WARNING, "sqlite-persistence-canary warnings for " + report.database() + ": "
                    + String.join("; ", report.warnings()));
        }
        // The details of an internal error are for whoever debugs it, not for every reader of the log.
        report.internalError().ifPresent(e -> LOG.log(Level.DEBUG, "sqlite-persistence-canary internal error", e));
    }
}
