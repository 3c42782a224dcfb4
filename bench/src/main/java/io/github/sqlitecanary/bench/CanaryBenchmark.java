package io.github.sqlitecanary.bench;

import io.github.sqlitecanary.CanaryOptions;
import io.github.sqlitecanary.CanaryReport;
import io.github.sqlitecanary.CanaryState;
import io.github.sqlitecanary.PersistenceCanary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sqlite.SQLiteDataSource;

/**
 * What the canary costs where it runs often, each next to the cheapest thing that could do the job:
 *
 * <ul>
 *   <li>the readiness probe's re-check of a verified database, against one bare {@code stat};</li>
 *   <li>a boot of an already verified database (the quiet path), against opening the database and
 *       reading one row with plain JDBC.</li>
 * </ul>
 *
 * The ratio of each pair is the canary's overhead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CanaryBenchmark {

    private Path directory;
    private Path database;
    private CanaryOptions options;
    private CanaryReport verified;

    @Setup(Level.Trial)
    public void verifyOnce() throws IOException {
        directory = Files.createTempDirectory("canary-bench");
        database = directory.resolve("app.db");
        Path lockDirectory = directory.resolve("tmp");
        options = CanaryOptions.builder().database(database.toString()).lockDirectory(lockDirectory).build();
        new PersistenceCanary(options).check();
        deleteTree(lockDirectory); // the redeploy
        List<CanaryReport> reports = new PersistenceCanary(options).check();
        verified = reports.get(0);
        if (verified.state() != CanaryState.VERIFIED) {
            throw new IllegalStateException("set-up did not reach VERIFIED: " + verified);
        }
    }

    @TearDown(Level.Trial)
    public void removeFiles() throws IOException {
        deleteTree(directory);
    }

    @Benchmark
    public CanaryReport readinessRecheck() {
        return PersistenceCanary.recheck(verified);
    }

    @Benchmark
    public Object baselineOneStat() throws IOException {
        return Files.readAttributes(database, BasicFileAttributes.class).fileKey();
    }

    @Benchmark
    public List<CanaryReport> verifiedBoot() {
        return new PersistenceCanary(options).check();
    }

    @Benchmark
    public String baselineOpenAndReadOneRow() throws SQLException {
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl("jdbc:sqlite:" + database);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT first_boot_at FROM persistence_canary WHERE id = 1")) {
            return row.next() ? row.getString(1) : null;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
