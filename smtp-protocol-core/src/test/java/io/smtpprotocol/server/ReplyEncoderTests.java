package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ReplyEncoderTests {

  static Stream<Reply> replies() {
    return Stream.of(
        Replies.SENDER_OK,
        Replies.START_MAIL_INPUT,
        Replies.TOO_MANY_RECIPIENTS,
        Reply.of(250, "2.0.0", "Ok: stored as 1700000000.M1P2Q3.host"),
        Reply.of(550, "5.1.1", "Unbekannter Empfänger"),
        Reply.multiline(250, List.of("mx.test", "PIPELINING", "SIZE 10485760")));
  }

  @ParameterizedTest
  @MethodSource("replies")
  void everyReplyIsWrittenAsItsWireForm(Reply reply) {
    EmbeddedChannel channel = new EmbeddedChannel(ReplyEncoder.INSTANCE);
    channel.writeAndFlush(reply);
    ByteBuf out = channel.readOutbound();
    try {
      assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(reply.toWire());
    } finally {
      out.release();
      channel.finishAndReleaseAll();
    }
  }

  @ParameterizedTest
  @MethodSource("replies")
  void aCatalogueReplyCanBeWrittenAgainAndAgain(Reply reply) {
    EmbeddedChannel channel = new EmbeddedChannel(ReplyEncoder.INSTANCE);
    channel.writeAndFlush(reply);
    channel.writeAndFlush(reply);
    ByteBuf first = channel.readOutbound();
    ByteBuf second = channel.readOutbound();
    try {
      assertThat(second).isEqualTo(first);
      assertThat(second.toString(StandardCharsets.UTF_8)).isEqualTo(reply.toWire());
    } finally {
      first.release();
      second.release();
      channel.finishAndReleaseAll();
    }
  }
}
