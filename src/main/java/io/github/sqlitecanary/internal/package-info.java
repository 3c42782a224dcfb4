/**
 * The canary's parts: where a database is, what holds it, its marker table and its lock. They
 * report facts; {@code io.github.sqlitecanary} decides the verdict.
 *
 * <p>Not API: anything here may change in any release.
 */
package io.github.sqlitecanary.internal;
