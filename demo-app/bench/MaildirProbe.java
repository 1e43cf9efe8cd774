import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * What a file system gives for durable Maildir deliveries, without SMTP or anything else: THREADS
 * threads each create a file in DIR/tmp, write 1 KiB, fdatasync it, rename it into DIR/new and
 * fsync DIR/new, as fast as they can for SECONDS. With --no-fsync both fsyncs are left out; with
 * --file-fsync-only only the fsync of DIR/new is, which no durable delivery can do without, so that
 * rate is an upper bound for any Maildir delivery that makes each message durable before answering.
 * Prints deliveries per second and the process CPU per delivery, and on Linux the block-device
 * write requests per delivery when DIR's device is named with --device=NAME (as in
 * /proc/diskstats); removes DIR's files at the end.
 *
 * <pre>
 * java demo-app/bench/MaildirProbe.java DIR [THREADS=20] [SECONDS=10] [--no-fsync | --file-fsync-only] [--device=NAME]
 * </pre>
 */
public class MaildirProbe {

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println(
          "usage: java MaildirProbe.java DIR [THREADS=20] [SECONDS=10]"
              + " [--no-fsync | --file-fsync-only] [--device=NAME]");
      System.exit(2);
    }
    boolean fsync = !Arrays.asList(args).contains("--no-fsync");
    boolean dirFsync = fsync && !Arrays.asList(args).contains("--file-fsync-only");
    String device =
        Arrays.stream(args)
            .filter(a -> a.startsWith("--device="))
            .map(a -> a.substring("--device=".length()))
            .findFirst()
            .orElse(null);
    String[] numbers = Arrays.stream(args).skip(1).filter(a -> !a.startsWith("--")).toArray(String[]::new);
    writeRequests(device); // fails on an unknown device before anything is created
    Path root = Path.of(args[0]);
    int threads = numbers.length > 0 ? Integer.parseInt(numbers[0]) : 20;
    long seconds = numbers.length > 1 ? Long.parseLong(numbers[1]) : 10;
    Path tmp = Files.createDirectories(root.resolve("tmp"));
    Path fresh = Files.createDirectories(root.resolve("new"));
    byte[] body = new byte[1024];
    Arrays.fill(body, (byte) 'X');
    AtomicLong done = new AtomicLong();
    AtomicLong names = new AtomicLong();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long writes0 = writeRequests(device);
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    long end = t0 + seconds * 1_000_000_000L;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    Future<?>[] workers = new Future<?>[threads];
    for (int i = 0; i < threads; i++) {
      workers[i] =
          pool.submit(
              () -> {
                while (System.nanoTime() < end) {
                  String name = "probe." + names.incrementAndGet();
                  Path file = tmp.resolve(name);
                  try (FileChannel channel =
                      FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    channel.write(ByteBuffer.wrap(body));
                    if (fsync) {
                      channel.force(false);
                    }
                  }
                  Files.move(file, fresh.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                  if (dirFsync) {
                    try (FileChannel dir = FileChannel.open(fresh, StandardOpenOption.READ)) {
                      dir.force(true);
                    }
                  }
                  done.incrementAndGet();
                }
                return null;
              });
    }
    for (Future<?> worker : workers) {
      worker.get();
    }
    pool.shutdown();
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long cpu = os.getProcessCpuTime() - cpu0;
    long writes = writeRequests(device) - writes0;
    System.out.printf(
        "%d deliveries in %.1f s with %d threads%s: %.0f/s, %.0f µs CPU each%s%n",
        done.get(), elapsed, threads,
        !fsync ? " (no fsync)" : dirFsync ? "" : " (file fsync only)",
        done.get() / elapsed,
        cpu / 1e3 / Math.max(1, done.get()),
        device == null ? "" : String.format(", %.2f write requests each", (double) writes / Math.max(1, done.get())));
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        if (!path.equals(root)) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  /** Write requests completed by DEVICE so far (/proc/diskstats), or 0 without a device. */
  private static long writeRequests(String device) throws java.io.IOException {
    if (device == null) {
      return 0;
    }
    for (String line : Files.readAllLines(Path.of("/proc/diskstats"))) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length > 7 && fields[2].equals(device)) {
        return Long.parseLong(fields[7]);
      }
    }
    throw new IllegalArgumentException("no device " + device + " in /proc/diskstats");
  }
}
