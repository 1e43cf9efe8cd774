package io.smtpprotocol.client;

import io.smtpprotocol.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private postfix instance: its own configuration, queue and data directories under a temporary
 * directory, its master process in the foreground with smtpd on a loopback port, its log in a file
 * written by postlogd, no system service. Stopped by the master's PID.
 *
 * <p>{@link #require} skips a test when postfix is missing or the test does not run as root
 * (postfix's master starts as root and drops to the {@code postfix} account the package creates);
 * both fail on CI.
 */
final class PostfixInstance implements AutoCloseable {

  /** The postfix command: on the PATH (or -Dtool.postfix), else where Debian puts it. */
  static final String POSTFIX =
      Requirements.hasTool("postfix")
          ? Requirements.tool("postfix").toString()
          : "/usr/sbin/postfix";

  /** postfix's master daemon (-Dtool.postfix-master), else in Debian's daemon_directory. */
  static final String MASTER =
      System.getProperty("tool.postfix-master", "/usr/lib/postfix/sbin/master");

  /** The domain postfix takes mail for. */
  static final String DOMAIN = "example.test";

  /** Where the instance lives; its configuration is in {@code config} below it. */
  final Path dir;

  /** smtpd's loopback port. */
  final int port;

  private final Path maillog;
  private final Peer master;

  private PostfixInstance(Path dir, int port, Path maillog, Peer master) {
    this.dir = dir;
    this.port = port;
    this.maillog = maillog;
    this.master = master;
  }

  /** Skips the test (fails it on CI) unless postfix is installed and this runs as root. */
  static void require() {
    Requirements.require(
        Peer.installed(POSTFIX) && Peer.installed(MASTER),
        "postfix (" + POSTFIX + ", " + MASTER + ")");
    Requirements.require(isRoot(), "root, for postfix's master daemon");
  }

  /**
   * Writes main.cf and master.cf, lets {@code postfix check} make the queue and data directories,
   * and starts the master; returns when smtpd accepts connections.
   *
   * @param dir an empty directory for the instance, made readable to the postfix account
   * @param settings main.cf lines after the common ones (a later line overrides an earlier one)
   */
  static PostfixInstance start(Path dir, List<String> settings) throws Exception {
    // the postfix account reaches its queue and data directories below this one
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path config = Files.createDirectories(dir.resolve("config"));
    // root's, as postfix wants it; postfix check makes its subdirectories and the data directory
    Files.createDirectories(dir.resolve("queue"));
    Path maillog = dir.resolve("maillog");
    int port = Peer.freePort();

    List<String> main =
        new ArrayList<>(
            List.of(
                "compatibility_level = 3.6",
                "queue_directory = " + dir.resolve("queue"),
                "data_directory = " + dir.resolve("data"),
                "mail_owner = postfix",
                "setgid_group = postdrop",
                // no syslog here: postlogd writes this file (the postlog service below)
                "maillog_file = " + maillog,
                "maillog_file_prefixes = " + dir,
                "inet_interfaces = 127.0.0.1",
                "inet_protocols = ipv4",
                "myhostname = mx." + DOMAIN,
                "mydomain = " + DOMAIN,
                "myorigin = $mydomain",
                "mydestination = " + DOMAIN,
                "local_recipient_maps =",
                "alias_maps =",
                "alias_database =",
                "relay_domains =",
                "relayhost =",
                "mynetworks = 127.0.0.0/8"));
    main.addAll(settings);
    main.add("");
    Files.writeString(config.resolve("main.cf"), String.join("\n", main));
    // no service chrooted ("n" in the fifth column); smtpd on the instance's loopback port
    Files.writeString(
        config.resolve("master.cf"),
        String.join(
            "\n",
            "127.0.0.1:" + port + " inet n - n - - smtpd",
            "cleanup   unix n - n - 0 cleanup",
            "qmgr      unix n - n 300 1 qmgr",
            "tlsmgr    unix - - n 1000? 1 tlsmgr",
            "rewrite   unix - - n - - trivial-rewrite",
            "bounce    unix - - n - 0 bounce",
            "defer     unix - - n - 0 bounce",
            "trace     unix - - n - 0 bounce",
            "verify    unix - - n - 1 verify",
            "proxymap  unix - - n - - proxymap",
            "anvil     unix - - n - 1 anvil",
            "scache    unix - - n - 1 scache",
            "error     unix - - n - - error",
            "retry     unix - - n - - error",
            "discard   unix - - n - - discard",
            "local     unix - n n - - local",
            "virtual   unix - n n - - virtual",
            "lmtp      unix - - n - - lmtp",
            "smtp      unix - - n - - smtp",
            "relay     unix - - n - - smtp",
            "postlog   unix-dgram n - n - 1 postlogd",
            ""));

    // creates the queue and data directories with the owners postfix wants, and checks the rest
    Process check =
        new ProcessBuilder(POSTFIX, "-c", config.toString(), "check")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("check.log").toFile())
            .start();
    if (!check.waitFor(60, TimeUnit.SECONDS)) {
      check.destroyForcibly();
      throw new IllegalStateException("postfix check did not finish within 60 seconds");
    }
    if (check.exitValue() != 0) {
      throw new IllegalStateException(
          "postfix check exited with "
              + check.exitValue()
              + ":\n"
              + Files.readString(dir.resolve("check.log"))
              + log(maillog));
    }
    try {
      Peer master = Peer.start(List.of(MASTER, "-d", "-c", config.toString()), port, dir, null);
      return new PostfixInstance(dir, port, maillog, master);
    } catch (RuntimeException e) {
      throw new IllegalStateException(e.getMessage() + log(maillog), e);
    }
  }

  /** postfix's log so far (with a heading, for failure messages). */
  String log() {
    return log(maillog);
  }

  private static String log(Path maillog) {
    try {
      return Files.exists(maillog)
          ? "\nmaillog:\n" + Files.readString(maillog, StandardCharsets.UTF_8)
          : "\n(no maillog)";
    } catch (IOException e) {
      return "\nmaillog unreadable: " + e;
    }
  }

  /**
   * SIGTERM to the master by its PID (its children exit when it has gone); then any child still
   * there, by its PID. The temporary directory goes with the queue in it.
   */
  @Override
  public void close() {
    List<ProcessHandle> children = master.process.descendants().toList();
    master.close();
    for (ProcessHandle child : children) {
      child.destroyForcibly();
    }
  }

  private static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
