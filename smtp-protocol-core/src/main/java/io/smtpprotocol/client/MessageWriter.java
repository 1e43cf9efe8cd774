package io.smtpprotocol.client;

import static io.smtpprotocol.client.Stages.complete;
import static io.smtpprotocol.client.Stages.failed;
import static io.smtpprotocol.client.Stages.unwrap;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.smtpprotocol.protocol.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The content of a message on one connection: DATA and the encoded message after its {@code 354}
 * (one buffer when small and in memory, chunks read as the socket takes them otherwise, by a {@link
 * ContentStream}), or BDAT chunks (RFC 3030), each after the reply to the one before. Commands
 * issued after DATA wait behind the barrier until the content is written.
 */
final class MessageWriter {

  /** Messages in memory up to this size are encoded into one buffer instead of in chunks. */
  static final int SMALL_MESSAGE = 64 * 1024;

  private final Channel channel;
  private final CommandQueue commands;
  private final ClientConfig config;
  private volatile @Nullable CompletableFuture<Reply> lastData;
  // on the event loop only
  private @Nullable ContentStream streaming;

  MessageWriter(Channel channel, CommandQueue commands, ClientConfig config) {
    this.channel = channel;
    this.commands = commands;
    this.config = config;
    commands.whenFailed(this::abandon);
  }

  /** DATA for a later {@link #message}. */
  CompletableFuture<Reply> data() {
    CompletableFuture<Reply> f = issueData(true);
    lastData = f;
    return f;
  }

  /** DATA, raising the barrier once it is written; a refusal lowers it. */
  CompletableFuture<Reply> issueData(boolean flush) {
    CompletableFuture<Reply> f = new CompletableFuture<>();
    commands.onLoop(
        () ->
            commands.whenFree(
                () -> {
                  CompletableFuture<Reply> sent =
                      commands.enqueueNow(
                          "DATA", "DATA", config.dataInitiationTimeout(), flush, false);
                  if (!sent.isDone()) {
                    commands.raiseBarrier();
                  }
                  sent.whenComplete(
                      (r, e) -> {
                        if (e != null) {
                          commands.lowerBarrier();
                          f.completeExceptionally(unwrap(e));
                        } else {
                          f.complete(r);
                        }
                      });
                }));
    return f;
  }

  /**
   * The content after {@link #data()}, and the {@code replies} replies that end it (LMTP: one per
   * recipient).
   */
  CompletionStage<List<Reply>> message(MessageContent content, int replies) {
    CompletableFuture<Reply> data = lastData;
    if (data == null) {
      throw new IllegalStateException("message() needs data() first");
    }
    lastData = null;
    return writeMessage(data, content, replies);
  }

  /** The content once DATA is answered with 354; fails with DATA's failure. */
  CompletionStage<List<Reply>> writeMessage(
      CompletableFuture<Reply> data, MessageContent content, int replies) {
    CompletableFuture<List<Reply>> result = new CompletableFuture<>();
    data.whenComplete(
        (r, e) ->
            commands.onLoop(
                () -> {
                  if (e != null) {
                    result.completeExceptionally(unwrap(e));
                    return;
                  }
                  if (r.code() != 354) {
                    commands.lowerBarrier();
                    result.completeExceptionally(
                        new SmtpConnectionException("DATA was answered with " + r + ", not 354"));
                    return;
                  }
                  byte[] bytes = content.inMemory();
                  if (bytes != null) {
                    // small and in memory already: one buffer, one write; larger in chunks
                    Object body =
                        bytes.length <= SMALL_MESSAGE
                            ? MessageEncoder.encode(bytes, channel.alloc())
                            : new MessageEncoder(bytes, true);
                    writeBody(body, replies).whenComplete(complete(result));
                    return;
                  }
                  InputStream in;
                  try {
                    in = content.open();
                  } catch (IOException ex) {
                    // the server waits for data: only closing the connection ends that cleanly
                    commands.fail(new SmtpConnectionException("cannot read the message", ex));
                    result.completeExceptionally(commands.failure());
                    return;
                  }
                  writeBody(new MessageEncoder(in, true), replies).whenComplete(complete(result));
                }));
    return result;
  }

  /** On the loop: writes the message; its replies are expected once it is all written. */
  private CompletionStage<List<Reply>> writeBody(Object body, int replies) {
    if (commands.hasFailed()) {
      if (body instanceof MessageEncoder encoder) {
        encoder.closeQuietly();
      } else {
        ReferenceCountUtil.release(body);
      }
      return failed(commands.failure());
    }
    List<PendingReply> waiting = commands.expect("message", config.finalTimeout(), replies);
    ContentStream stream =
        new ContentStream(channel, commands, body, waiting, config.dataBlockTimeout());
    streaming = stream;
    if (stream.write()) {
      streaming = null;
    }
    return collect(waiting);
  }

  /** On the loop: the channel became writable; the content being written goes on. */
  void resume() {
    ContentStream stream = streaming;
    if (stream != null && channel.isWritable() && stream.write()) {
      streaming = null;
    }
  }

  /** On the loop: the connection failed; the content being written is given up. */
  private void abandon() {
    ContentStream stream = streaming;
    streaming = null;
    if (stream != null) {
      stream.abandon();
    }
  }

  /**
   * All replies to the message: with one, its failure; with several (LMTP), the refusals are
   * replies in the list, and only a failure of the connection fails the stage.
   */
  private static CompletionStage<List<Reply>> collect(List<PendingReply> waiting) {
    int replies = waiting.size();
    CompletableFuture<List<Reply>> all = new CompletableFuture<>();
    CompletableFuture.allOf(
            waiting.stream().map(p -> p.future).toArray(CompletableFuture<?>[]::new))
        .whenComplete(
            (v, e) -> {
              List<Reply> list = new ArrayList<>(replies);
              Throwable firstError = null;
              for (PendingReply p : waiting) {
                try {
                  list.add(p.future.join());
                } catch (CompletionException ce) {
                  Throwable cause = unwrap(ce);
                  if (cause instanceof SmtpReplyException re && replies > 1) {
                    list.add(re.reply());
                  } else if (firstError == null) {
                    firstError = cause;
                  }
                }
              }
              if (firstError != null) {
                all.completeExceptionally(firstError);
              } else {
                all.complete(list);
              }
            });
    return all;
  }

  // ---------------------------------------------------------------- BDAT

  /** One BDAT chunk, sent as it is, after the commands before it. */
  CompletionStage<Reply> bdat(byte[] chunk, boolean last) {
    CompletableFuture<Reply> f = new CompletableFuture<>();
    byte[] copy = chunk.clone();
    commands.onLoop(
        () ->
            commands.whenFree(
                () ->
                    bdatNow(channel.alloc().buffer(copy.length).writeBytes(copy), last)
                        .whenComplete(complete(f))));
    return f;
  }

  /** On the loop: the BDAT command and its chunk (released here). */
  private CompletableFuture<Reply> bdatNow(ByteBuf chunk, boolean last) {
    String line = "BDAT " + chunk.readableBytes() + (last ? " LAST" : "");
    Duration timeout = last ? config.finalTimeout() : config.dataBlockTimeout();
    CompletableFuture<Reply> f = commands.enqueueNow("BDAT", line, timeout, false, false);
    if (f.isDone()) {
      chunk.release();
    } else {
      channel.writeAndFlush(chunk);
    }
    return f;
  }

  /** BDAT chunks of the content, each after the reply to the one before; the last reply. */
  CompletionStage<Reply> sendChunks(MessageContent content) {
    InputStream in;
    try {
      in = content.open();
    } catch (IOException e) {
      return failed(new SmtpConnectionException("cannot read the message", e));
    }
    MessageEncoder encoder = new MessageEncoder(in, false);
    CompletableFuture<Reply> done = new CompletableFuture<>();
    commands.onLoop(() -> nextChunk(encoder, null, done));
    return done.whenComplete((r, e) -> encoder.closeQuietly());
  }

  private void nextChunk(
      MessageEncoder encoder, @Nullable ByteBuf current, CompletableFuture<Reply> done) {
    ByteBuf chunk = current;
    ByteBuf next;
    try {
      if (chunk == null) {
        chunk = encoder.readChunk(channel.alloc());
      }
      next = encoder.isEndOfInput() ? null : encoder.readChunk(channel.alloc());
    } catch (IOException e) {
      if (chunk != null) {
        chunk.release();
      }
      // the server waits for the rest of a chunk it was announced: only closing ends that
      SmtpConnectionException error = new SmtpConnectionException("cannot read the message", e);
      commands.fail(error);
      done.completeExceptionally(error);
      return;
    }
    boolean last =
        next == null || encoder.isEndOfInput() && next.readableBytes() == 0 && release(next);
    ByteBuf following = last ? null : next;
    bdatNow(Objects.requireNonNull(chunk), last)
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                if (following != null) {
                  following.release();
                }
                done.completeExceptionally(unwrap(e));
              } else if (following == null) {
                done.complete(r);
              } else {
                nextChunk(encoder, following, done);
              }
            });
  }

  private static boolean release(ByteBuf buf) {
    buf.release();
    return true;
  }
}
