package io.smtpprotocol.client;

import static io.smtpprotocol.client.Stages.failed;
import static io.smtpprotocol.client.Stages.settle;
import static io.smtpprotocol.client.Stages.unwrap;

import io.smtpprotocol.protocol.Extensions;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * One mail transaction by the RFCs on a prepared session: the MAIL parameters the server's
 * extensions call for, MAIL, RCPT and DATA (pipelined when PIPELINING is offered, RFC 2920), the
 * content (or BDAT chunks), the replies per recipient, and RSET after a failed transaction.
 */
final class Transaction {

  private final SmtpConnection connection;
  private final CommandQueue commands;
  private final MessageWriter writer;
  private final SessionState state;
  private final ClientConfig config;

  Transaction(
      SmtpConnection connection,
      CommandQueue commands,
      MessageWriter writer,
      SessionState state,
      ClientConfig config) {
    this.connection = connection;
    this.commands = commands;
    this.writer = writer;
    this.state = state;
    this.config = config;
  }

  CompletionStage<SendResult> send(Extensions ext, MailEnvelope envelope, MessageContent content) {
    MailParameters params = envelope.mailParameters();
    if (envelope.needsSmtpUtf8()) {
      if (!ext.smtpUtf8()) {
        return failed(
            new SmtpReplyException(
                "MAIL",
                Reply.of(
                    553, "5.6.7", "an address needs SMTPUTF8, which the server does not offer"),
                true));
      }
      params = params.with("SMTPUTF8", "");
    }
    long size = content.size().orElse(-1);
    if (size >= 0 && ext.maxSize().isPresent() && size > ext.maxSize().getAsLong()) {
      return failed(
          new SmtpReplyException(
              "MAIL",
              Reply.of(
                  552,
                  "5.3.4",
                  "message size "
                      + size
                      + " exceeds the server's limit "
                      + ext.maxSize().getAsLong()),
              true));
    }
    if (size >= 0 && ext.has("SIZE")) {
      params = params.with("SIZE", Long.toString(size));
    }
    if (content.encoding() != MessageContent.Encoding.SEVEN_BIT && ext.eightBitMime()) {
      params = params.with("BODY", "8BITMIME");
    }
    boolean chunking = config.chunking() && ext.chunking() && !state.lmtp;
    String mailLine = SmtpConnection.mailLine(envelope.from(), params);
    MailParameters rcptParams = envelope.recipientParameters();
    if (ext.pipelining()) {
      // MAIL, every RCPT and DATA in one flush; DATA is last in the group (RFC 2920 section 3.1)
      CompletionStage<Reply> mail =
          settle(commands.issue("MAIL", mailLine, config.commandTimeout(), false));
      List<CompletionStage<Reply>> rcpts = new ArrayList<>();
      for (Mailbox to : envelope.recipients()) {
        rcpts.add(
            settle(
                commands.issue(
                    "RCPT",
                    SmtpConnection.rcptLine(to, rcptParams),
                    config.commandTimeout(),
                    false)));
      }
      CompletableFuture<Reply> data = chunking ? null : writer.issueData(false);
      commands.onLoop(connection.channel()::flush);
      List<CompletableFuture<?>> all = new ArrayList<>();
      all.add(mail.toCompletableFuture());
      rcpts.forEach(r -> all.add(r.toCompletableFuture()));
      return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
          .thenCompose(
              v ->
                  proceed(
                      envelope,
                      content,
                      mail.toCompletableFuture().join(),
                      joinAll(rcpts),
                      data,
                      chunking));
    }
    return settle(commands.issue("MAIL", mailLine, config.commandTimeout(), true))
        .thenCompose(
            mailReply -> {
              if (!mailReply.isPositive()) {
                return proceed(envelope, content, mailReply, List.of(), null, chunking);
              }
              CompletionStage<List<Reply>> replies = CompletableFuture.completedFuture(List.of());
              for (Mailbox to : envelope.recipients()) {
                replies =
                    replies.thenCompose(
                        list ->
                            settle(
                                    commands.issue(
                                        "RCPT",
                                        SmtpConnection.rcptLine(to, rcptParams),
                                        config.commandTimeout(),
                                        true))
                                .thenApply(
                                    r -> {
                                      List<Reply> more = new ArrayList<>(list);
                                      more.add(r);
                                      return more;
                                    }));
              }
              return replies.thenCompose(
                  list -> {
                    boolean any = list.stream().anyMatch(Reply::isPositive);
                    CompletableFuture<Reply> data =
                        any && !chunking ? writer.issueData(true) : null;
                    return proceed(envelope, content, mailReply, list, data, chunking);
                  });
            });
  }

  private static List<Reply> joinAll(List<CompletionStage<Reply>> stages) {
    List<Reply> replies = new ArrayList<>(stages.size());
    for (CompletionStage<Reply> s : stages) {
      replies.add(s.toCompletableFuture().join());
    }
    return replies;
  }

  /** After the envelope's replies: the content, or a clean end of a failed transaction. */
  private CompletionStage<SendResult> proceed(
      MailEnvelope envelope,
      MessageContent content,
      Reply mail,
      List<Reply> rcpts,
      @Nullable CompletableFuture<Reply> data,
      boolean chunking) {
    if (!mail.isPositive()) {
      return abort(data, new SmtpReplyException("MAIL", mail));
    }
    int accepted = 0;
    for (Reply r : rcpts) {
      if (r.isPositive()) {
        accepted++;
      }
    }
    if (accepted == 0) {
      return abort(data, new SmtpReplyException("RCPT", rcpts.get(0)));
    }
    boolean lmtp = state.lmtp;
    CompletionStage<List<Reply>> end;
    if (chunking) {
      end = writer.sendChunks(content).thenApply(List::of);
    } else {
      end = writer.writeMessage(Objects.requireNonNull(data), content, lmtp ? accepted : 1);
    }
    return end.<CompletionStage<SendResult>>handle(
            (replies, e) -> {
              if (e != null) {
                return this.<SendResult>rsetThenFail(unwrap(e));
              }
              List<SendResult.RecipientReply> result = new ArrayList<>();
              int next = 0;
              for (int i = 0; i < rcpts.size(); i++) {
                Reply r = rcpts.get(i);
                if (lmtp && r.isPositive()) {
                  r = replies.get(next++);
                }
                result.add(new SendResult.RecipientReply(envelope.recipients().get(i), r));
              }
              Reply last = replies.get(replies.size() - 1);
              boolean delivered = false;
              for (Reply r : replies) {
                delivered |= r.isPositive();
              }
              if (!delivered) {
                return this.<SendResult>rsetThenFail(
                    new SmtpReplyException("message", replies.get(0)));
              }
              state.messagesSent++;
              return CompletableFuture.<SendResult>completedFuture(new SendResult(result, last));
            })
        .thenCompose(s -> s);
  }

  /** Ends a transaction that cannot deliver: an empty message if DATA was accepted anyway, RSET. */
  private CompletionStage<SendResult> abort(
      @Nullable CompletableFuture<Reply> data, Throwable error) {
    if (data == null) {
      return rsetThenFail(error);
    }
    return data.handle((r, e) -> r)
        .thenCompose(
            r -> {
              if (r == null) {
                return rsetThenFail(error);
              }
              // RFC 2920 section 3.1: DATA accepted without recipients; end it with an empty
              // message
              return writer
                  .writeMessage(data, MessageContent.of(new byte[0]), 1)
                  .handle((x, e) -> null)
                  .thenCompose(x -> rsetThenFail(error));
            });
  }

  private <T> CompletionStage<T> rsetThenFail(Throwable error) {
    if (!(error instanceof SmtpReplyException) || !connection.isOpen()) {
      return failed(error);
    }
    return connection.rset().handle((r, e) -> null).thenCompose(x -> failed(error));
  }
}
