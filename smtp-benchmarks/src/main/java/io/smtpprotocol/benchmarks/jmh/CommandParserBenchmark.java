package io.smtpprotocol.benchmarks.jmh;

import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.CommandParser;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** {@link CommandParser#parse} on the lines of a typical transaction. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class CommandParserBenchmark {

  // fields, not constants, so that the JIT cannot fold the parse of a constant string
  String ehlo = "EHLO client.example.com";
  String mailFrom = "MAIL FROM:<bench@example.com> SIZE=1024 BODY=8BITMIME";
  String rcptTo = "RCPT TO:<sink@example.com>";
  String quotedRcptTo = "RCPT TO:<\"first last\"@[192.0.2.1]>";
  String data = "DATA";

  @Benchmark
  public Command ehlo() {
    return CommandParser.parse(ehlo);
  }

  @Benchmark
  public Command mailFromWithParameters() {
    return CommandParser.parse(mailFrom);
  }

  @Benchmark
  public Command rcptTo() {
    return CommandParser.parse(rcptTo);
  }

  @Benchmark
  public Command rcptToQuotedAddressLiteral() {
    return CommandParser.parse(quotedRcptTo);
  }

  @Benchmark
  public Command data() {
    return CommandParser.parse(data);
  }
}
