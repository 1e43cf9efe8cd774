package io.smtpprotocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * DATA content through {@link SmtpServerDecoder} in an {@link EmbeddedChannel}: bodies of 80-char
 * lines, one line in ten dot-stuffed, ended by {@code CRLF.CRLF}, fed in socket-sized reads. The
 * secondary result {@code bodyMiB} is the throughput in MiB of wire input per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g"})
@State(Scope.Thread)
public class DataDecoderBenchmark {

  /** Wire size of the body: 1 KiB, 100 KiB, 50 MiB. */
  @Param({"1024", "102400", "52428800"})
  public int size;

  /** Octets per read, as the server's receive buffer allocator hands them up (at most 32 KiB). */
  @Param({"16384"})
  public int readSize;

  private ByteBuf body = Unpooled.EMPTY_BUFFER;
  private EmbeddedChannel channel = new EmbeddedChannel();
  private SmtpServerDecoder decoder = new SmtpServerDecoder(1000, false, 32 * 1024);
  private final Consumer consumer = new Consumer();

  /** MiB of input decoded, reported per second. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Throughput {
    public double bodyMiB;

    @Setup(Level.Iteration)
    public void clear() {
      bodyMiB = 0;
    }
  }

  /** Releases content slices and counts what arrives, like the session would. */
  static final class Consumer extends ChannelInboundHandlerAdapter {
    long octets;
    long ends;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf buf) {
        octets += buf.readableBytes();
        buf.release();
      } else if (msg instanceof SmtpInput.ContentEnd) {
        ends++;
      } else {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    body = Unpooled.directBuffer(size + 8).writeBytes(body(size));
    decoder = new SmtpServerDecoder(1000, false, 32 * 1024);
    channel = new EmbeddedChannel(decoder, consumer);
    decoder.greetingSent();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (consumer.ends == 0) {
      throw new IllegalStateException("no message ended: the benchmark measured nothing");
    }
    channel.finishAndReleaseAll();
    body.release();
  }

  /** Lines of 80 {@code X}, every tenth starting with a stuffed dot, then {@code .CRLF}. */
  static byte[] body(int size) {
    StringBuilder sb = new StringBuilder(size + 100);
    String line = "X".repeat(80) + "\r\n";
    String stuffed = ".." + "X".repeat(78) + "\r\n";
    int n = 0;
    while (sb.length() + line.length() + 3 <= size) {
      sb.append(n++ % 10 == 9 ? stuffed : line);
    }
    while (sb.length() + 3 < size) {
      sb.append('X');
    }
    if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n') {
      sb.append("\r\n");
    }
    sb.append(".\r\n");
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  @Benchmark
  public long decode(Throughput throughput) {
    decoder.startData(Long.MAX_VALUE);
    decoder.request();
    long before = consumer.ends;
    ByteBuf in = body;
    int length = in.readableBytes();
    for (int offset = 0; offset < length; offset += readSize) {
      channel.writeInbound(in.retainedSlice(offset, Math.min(readSize, length - offset)));
    }
    if (consumer.ends != before + 1) {
      throw new IllegalStateException("the body did not end exactly once");
    }
    throughput.bodyMiB += length / (1024.0 * 1024.0);
    return consumer.octets;
  }
}
