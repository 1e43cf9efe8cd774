package io.smtpprotocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@link SmtpServerDecoder} in an {@link EmbeddedChannel} with a scripted stand-in for the
 * session: it records what the decoder passes up as readable events, and asks for more input the
 * way the session does (a DATA line starts DATA content, a BDAT line starts a chunk).
 *
 * <p>Events: {@code LINE <text>}, {@code BAD <code> <status>}, {@code EARLY}, {@code CONTENT
 * <octets>} (consecutive slices merged, so that the events do not depend on how the input was
 * split), {@code PROBLEM <status>}, {@code END <status>} (with the size when complete), {@code
 * CHUNK <size>}.
 */
final class DecoderHarness implements AutoCloseable {

  private static final Pattern BDAT =
      Pattern.compile("BDAT ([0-9]{1,18})( LAST)?", Pattern.CASE_INSENSITIVE); // as CommandParser

  final TrackingAllocator alloc = new TrackingAllocator();

  /** How often the decoder signalled that it used up its input (the session flushes then). */
  int drained;

  final SmtpServerDecoder decoder;
  final EmbeddedChannel channel;
  private final List<String> events = new ArrayList<>();
  private final ByteArrayOutputStream content = new ByteArrayOutputStream();

  /** Whether the stand-in asks for the next input as soon as it has handled an event. */
  boolean autoRequest = true;

  /** Whether content slices pause the decoder (as a full message body buffer does). */
  boolean suspendOnContent;

  /** Whether BDAT chunks are read to be dropped (as for a refused BDAT). */
  boolean discardChunks;

  /** The size limit for DATA content. */
  long maxDataSize = Long.MAX_VALUE;

  /** Largest content slice seen. */
  int largestSlice;

  DecoderHarness(int maxLineLength, boolean lenient, int maxBuffered) {
    decoder = new SmtpServerDecoder(maxLineLength, lenient, maxBuffered);
    channel = new EmbeddedChannel();
    channel.config().setAllocator(alloc);
    channel.pipeline().addLast("decoder", decoder).addLast("session", new StandIn());
  }

  /** A harness past the greeting, waiting for the first command. */
  static DecoderHarness greeted(int maxLineLength, boolean lenient) {
    DecoderHarness h = new DecoderHarness(maxLineLength, lenient, 64 * 1024);
    h.decoder.greetingSent();
    h.decoder.request();
    return h;
  }

  DecoderHarness feed(String ascii) {
    return feed(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  DecoderHarness feed(byte[] bytes) {
    return feed(bytes, 0, bytes.length);
  }

  DecoderHarness feed(byte[] bytes, int from, int to) {
    channel.writeInbound(alloc.copyOf(bytes, from, to));
    return this;
  }

  /** Feeds the input in pieces cut at the given offsets (ascending). */
  DecoderHarness feedSplit(byte[] bytes, int... cuts) {
    int start = 0;
    for (int cut : cuts) {
      if (cut > start && cut < bytes.length) {
        feed(bytes, start, cut);
        start = cut;
      }
    }
    return feed(bytes, start, bytes.length);
  }

  /** Feeds the input one octet at a time. */
  DecoderHarness feedBytewise(byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      feed(bytes, i, i + 1);
    }
    return this;
  }

  /** The events so far. */
  List<String> events() {
    List<String> all = new ArrayList<>(events);
    if (content.size() > 0) {
      all.add("CONTENT " + content.toString(StandardCharsets.ISO_8859_1));
    }
    return all;
  }

  /**
   * Asks for more input until nothing moves any more, as the session does when a paused message
   * body drains.
   */
  void pump() {
    for (int i = 0; i < 1_000_000; i++) {
      int buffered = decoder.bufferedBytes();
      int count = events.size();
      int pending = content.size();
      decoder.request();
      if (buffered == decoder.bufferedBytes()
          && count == events.size()
          && pending == content.size()) {
        return;
      }
    }
    throw new AssertionError("decoder does not settle");
  }

  /** The content octets of all CONTENT events so far, in order. */
  byte[] contentBytes() {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (String e : events()) {
      if (e.startsWith("CONTENT ")) {
        all.writeBytes(e.substring(8).getBytes(StandardCharsets.ISO_8859_1));
      }
    }
    return all.toByteArray();
  }

  /** Closes the channel and checks that every buffer was released. */
  @Override
  public void close() {
    channel.finishAndReleaseAll();
    alloc.assertAllReleased();
  }

  private void flushContent() {
    if (content.size() > 0) {
      events.add("CONTENT " + content.toString(StandardCharsets.ISO_8859_1));
      content.reset();
    }
  }

  private void add(String event) {
    flushContent();
    events.add(event);
  }

  private final class StandIn extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf buf) {
        try {
          largestSlice = Math.max(largestSlice, buf.readableBytes());
          byte[] bytes = new byte[buf.readableBytes()];
          buf.readBytes(bytes);
          content.writeBytes(bytes);
        } finally {
          buf.release();
        }
        if (suspendOnContent) {
          decoder.suspend();
        }
        return;
      }
      if (msg instanceof SmtpInput.Drained) {
        drained++;
        ctx.flush(); // as the session does: the cue to flush, not an input to answer
        return;
      }
      if (msg instanceof SmtpInput.CommandLine line) {
        add("LINE " + line.text());
        String upper = line.text().toUpperCase(Locale.ROOT);
        Matcher bdat = BDAT.matcher(line.text());
        if (upper.equals("DATA")) {
          decoder.startData(maxDataSize);
        } else if (bdat.matches()) {
          decoder.startChunk(Long.parseLong(bdat.group(1)), discardChunks);
        }
      } else if (msg instanceof SmtpInput.BadCommandLine bad) {
        add("BAD " + bad.reply().code() + " " + bad.reply().status());
      } else if (msg instanceof SmtpInput.EarlyInput) {
        add("EARLY");
      } else if (msg instanceof SmtpInput.ContentProblem problem) {
        add("PROBLEM " + problem.status());
        return; // content goes on (and is dropped): no new request
      } else if (msg instanceof SmtpInput.ContentEnd end) {
        add(
            end.status() == SmtpInput.ContentStatus.COMPLETE
                ? "END COMPLETE " + end.size()
                : "END " + end.status());
      } else if (msg instanceof SmtpInput.ChunkEnd end) {
        add("CHUNK " + end.size());
      } else {
        throw new AssertionError("unexpected " + msg);
      }
      if (autoRequest) {
        decoder.request();
      }
    }
  }
}
