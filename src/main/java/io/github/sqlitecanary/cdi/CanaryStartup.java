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
 * guidance, and fails the deployment in {@code on-failure=fail-startup} mode.
 *
 * <p>Configuration is read here, at start, and not in the readiness check: Payara creates the
 * check lazily, on the first request, with a class loader that cannot see the application's
 * {@code microprofile-config.properties}.
 */
@ApplicationScoped
public class CanaryStartup {

    static final System.Logger LOG = System.getLogger("io.github.sqlitecanary");

    private final Object lock = new Object();
    private volatile Result result;

    /** The verdict of the start, and what the readiness check reports from it. */
    public record Result(OnFailure onFailure, List<CanaryReport> reports) {
        public Result {
            reports = List.copyOf(reports);
        }

        /** Whether the application may become ready: every database UP, or only logging was asked for. */
        public boolean ready() {
            return onFailure == OnFailure.LOG || reports.stream().allMatch(CanaryReport::isUp);
        }
    }

    void onStartup(@Observes @Initialized(ApplicationScoped.class) Object event) {
        Config config = ConfigProvider.getConfig();
        CanaryOptions options = CanaryOptions.fromConfig(key -> config.getOptionalValue(key, String.class));
        List<CanaryReport> reports = new PersistenceCanary(options).check();
        result = new Result(options.onFailure(), reports);
        reports.forEach(CanaryStartup::log);
        List<CanaryReport> down = reports.stream().filter(r -> !r.isUp()).toList();
        if (options.onFailure() == OnFailure.FAIL_STARTUP && !down.isEmpty()) {
            throw new PersistenceCanaryException(down.stream()
                    .map(r -> "sqlite-persistence-canary " + r.state() + ": " + r.message())
                    .collect(Collectors.joining("\n")));
        }
    }

    /**
     * The verdict now: the start's reports after the cheap run-time re-check (one {@code stat} of
     * each verified database file). Empty until the application has started. Logs a verdict that
     * changed since it was last logged.
     */
    public Optional<Result> current() {
        Result started = result;
        if (started == null) {
            return Optional.empty();
        }
        synchronized (lock) {
            List<CanaryReport> now = new ArrayList<>();
            for (CanaryReport before : started.reports()) {
                CanaryReport after = PersistenceCanary.recheck(before);
                if (after.state() != before.state()) {
                    log(after);
                }
                now.add(after);
            }
            Result updated = new Result(started.onFailure(), now);
            // Keep the changed verdict: a database that vanished once stays DOWN until a restart.
            result = updated;
            return Optional.of(updated);
        }
    }

    private static void log(CanaryReport report) {
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
    }
}
