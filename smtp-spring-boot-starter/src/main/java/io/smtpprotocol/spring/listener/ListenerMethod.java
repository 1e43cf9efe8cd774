package io.smtpprotocol.spring.listener;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageAbortedException;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpRejectException;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.tls.TlsInfo;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.util.ReflectionUtils;

/**
 * One {@link SmtpListener} method: how to find its bean, how to fill its parameters, and how to
 * turn what it returns (or throws) into a {@link Decision}. Built and checked at start-up.
 */
final class ListenerMethod {

  private static final Logger log = LoggerFactory.getLogger(SmtpListener.class);

  private static final String MIME_MESSAGE = "jakarta.mail.internet.MimeMessage";

  /** How a listener uses the message body. */
  enum BodyUse {
    NONE,
    /** Reads the stream: only one listener may. */
    STREAM,
    /** Wants the whole body: it is read once, for all such listeners. */
    BUFFERED
  }

  /** What the method returns. */
  private enum Result {
    VOID,
    DECISION,
    BOOLEAN,
    /** A decision per recipient (MESSAGE listeners; on LMTP each recipient gets its own reply). */
    DECISIONS,
    /**
     * A stage whose element type is Decision, Boolean, Void, a list of decisions, or not known
     * until run time.
     */
    STAGE
  }

  private final BeanFactory beanFactory;
  private final String beanName;
  private final Method method;
  private final SmtpEvent event;
  private final int order;
  private final List<Function<ListenerArguments, @Nullable Object>> resolvers;
  private final BodyUse bodyUse;
  private final Result result;
  private final String description;
  private volatile @Nullable Object bean;

  private ListenerMethod(
      BeanFactory beanFactory,
      String beanName,
      Method method,
      SmtpEvent event,
      int order,
      List<Function<ListenerArguments, @Nullable Object>> resolvers,
      BodyUse bodyUse,
      Result result,
      String description) {
    this.beanFactory = beanFactory;
    this.beanName = beanName;
    this.method = method;
    this.event = event;
    this.order = order;
    this.resolvers = resolvers;
    this.bodyUse = bodyUse;
    this.result = result;
    this.description = description;
  }

  /**
   * Checks the method's signature against its event.
   *
   * @throws IllegalStateException naming the bean and method when the signature does not fit
   */
  static ListenerMethod of(
      BeanFactory beanFactory, String beanName, Method method, SmtpEvent event, int order) {
    String description = describe(beanName, method);
    List<String> problems = new ArrayList<>();
    List<Function<ListenerArguments, @Nullable Object>> resolvers = new ArrayList<>();
    BodyUse bodyUse = BodyUse.NONE;
    boolean mime = false;
    for (int i = 0; i < method.getParameterCount(); i++) {
      Class<?> type = method.getParameterTypes()[i];
      Function<ListenerArguments, @Nullable Object> resolver = resolver(event, type);
      if (resolver == null) {
        problems.add(
            "parameter "
                + i
                + " of type "
                + type.getName()
                + " is not available for "
                + event
                + " (available: "
                + available(event)
                + ")");
        continue;
      }
      BodyUse use = bodyUse(type);
      if (use == BodyUse.STREAM && bodyUse != BodyUse.NONE
          || use == BodyUse.BUFFERED && bodyUse == BodyUse.STREAM) {
        problems.add("the message body can be taken only once per listener");
      }
      if (use != BodyUse.NONE) {
        bodyUse = use;
      }
      mime |= type.getName().equals(MIME_MESSAGE);
      resolvers.add(resolver);
    }
    if (mime) {
      resolvers = mimeAware(resolvers, method);
    }
    Result result = result(method, event, problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "Invalid @SmtpListener("
              + event
              + ") method "
              + description
              + ": "
              + String.join("; ", problems));
    }
    ReflectionUtils.makeAccessible(method);
    return new ListenerMethod(
        beanFactory,
        beanName,
        method,
        event,
        order,
        List.copyOf(resolvers),
        bodyUse,
        result,
        description);
  }

  private static List<Function<ListenerArguments, @Nullable Object>> mimeAware(
      List<Function<ListenerArguments, @Nullable Object>> resolvers, Method method) {
    List<Function<ListenerArguments, @Nullable Object>> list = new ArrayList<>(resolvers);
    for (int i = 0; i < method.getParameterCount(); i++) {
      if (method.getParameterTypes()[i].getName().equals(MIME_MESSAGE)) {
        list.set(i, MimeMessages::parse);
      }
    }
    return list;
  }

  /** A parameter type a listener of some event may declare, and where its value comes from. */
  private record Parameter(
      String label, String typeName, Function<ListenerArguments, @Nullable Object> value) {

    static Parameter of(
        String label, Class<?> type, Function<ListenerArguments, @Nullable Object> value) {
      return new Parameter(label, type.getName(), value);
    }
  }

  /** Per event, the parameter types its listeners may declare: the only home of this table. */
  private static final Map<SmtpEvent, List<Parameter>> PARAMETERS = parameterTable();

  private static Map<SmtpEvent, List<Parameter>> parameterTable() {
    Parameter session = Parameter.of("SessionInfo", SessionInfo.class, ListenerArguments::session);
    Parameter envelope = Parameter.of("Envelope", Envelope.class, ListenerArguments::envelope);
    Parameter from = Parameter.of("ReversePath", ReversePath.class, ListenerArguments::from);
    Parameter parameters =
        Parameter.of("MailParameters", MailParameters.class, ListenerArguments::parameters);
    Map<SmtpEvent, List<Parameter>> table = new EnumMap<>(SmtpEvent.class);
    for (SmtpEvent event : SmtpEvent.values()) {
      table.put(event, List.of(session));
    }
    table.put(
        SmtpEvent.GREETING,
        List.of(
            session,
            Parameter.of("Command.Hello", Command.Hello.class, ListenerArguments::hello),
            Parameter.of(
                "String", String.class, a -> a.hello() == null ? null : a.hello().domain())));
    table.put(
        SmtpEvent.TLS,
        List.of(session, Parameter.of("TlsInfo", TlsInfo.class, a -> a.session().tls())));
    table.put(
        SmtpEvent.AUTH,
        List.of(session, Parameter.of("String", String.class, ListenerArguments::identity)));
    table.put(
        SmtpEvent.MAIL_FROM,
        List.of(
            session,
            from,
            Parameter.of(
                "Mailbox", Mailbox.class, a -> a.from() == null ? null : a.from().mailbox()),
            Parameter.of("String", String.class, a -> a.from() == null ? null : a.from().address()),
            parameters));
    table.put(
        SmtpEvent.RCPT_TO,
        List.of(
            session,
            envelope,
            from,
            Parameter.of("Mailbox", Mailbox.class, ListenerArguments::to),
            Parameter.of("String", String.class, a -> a.to() == null ? null : a.to().address()),
            parameters));
    table.put(SmtpEvent.DATA, List.of(session, envelope, from));
    table.put(
        SmtpEvent.MESSAGE,
        List.of(
            session,
            envelope,
            from,
            Parameter.of("InputStream", InputStream.class, ListenerArguments::body),
            Parameter.of("MessageBody", MessageBody.class, ListenerArguments::body),
            Parameter.of("byte[]", byte[].class, ListenerArguments::bytes),
            // replaced by mimeAware, kept apart so jakarta.mail stays optional
            new Parameter("MimeMessage", MIME_MESSAGE, a -> null)));
    return table;
  }

  private static @Nullable Function<ListenerArguments, @Nullable Object> resolver(
      SmtpEvent event, Class<?> type) {
    for (Parameter parameter : PARAMETERS.getOrDefault(event, List.of())) {
      if (parameter.typeName().equals(type.getName())) {
        return parameter.value();
      }
    }
    return null;
  }

  private static String available(SmtpEvent event) {
    return String.join(
        ", ", PARAMETERS.getOrDefault(event, List.of()).stream().map(Parameter::label).toList());
  }

  private static BodyUse bodyUse(Class<?> type) {
    if (type == InputStream.class || type == MessageBody.class) {
      return BodyUse.STREAM;
    }
    if (type == byte[].class || type.getName().equals(MIME_MESSAGE)) {
      return BodyUse.BUFFERED;
    }
    return BodyUse.NONE;
  }

  private static Result result(Method method, SmtpEvent event, List<String> problems) {
    Class<?> type = method.getReturnType();
    boolean notification = event == SmtpEvent.RESET || event == SmtpEvent.QUIT;
    if (type == void.class) {
      return Result.VOID;
    }
    if (notification) {
      problems.add(event + " listeners must return void, not " + type.getName());
      return Result.VOID;
    }
    if (type == Decision.class) {
      return Result.DECISION;
    }
    if (type == boolean.class || type == Boolean.class) {
      return Result.BOOLEAN;
    }
    if (List.class.isAssignableFrom(type)) {
      if (event != SmtpEvent.MESSAGE) {
        problems.add("only MESSAGE listeners may return a decision per recipient");
      } else if (!isDecisions(ResolvableType.forMethodReturnType(method))) {
        problems.add("a list result must be a List<Decision>, one per recipient");
      }
      return Result.DECISIONS;
    }
    if (CompletionStage.class.isAssignableFrom(type)) {
      ResolvableType element =
          ResolvableType.forMethodParameter(new MethodParameter(method, -1))
              .as(CompletionStage.class)
              .getGeneric(0);
      Class<?> resolved = element.resolve();
      if (resolved != null && List.class.isAssignableFrom(resolved)) {
        if (event != SmtpEvent.MESSAGE) {
          problems.add("only MESSAGE listeners may return a decision per recipient");
        } else if (!isDecisions(element)) {
          problems.add("a list result must be a List<Decision>, one per recipient");
        }
        return Result.STAGE;
      }
      if (resolved != null
          && resolved != Object.class
          && resolved != Decision.class
          && resolved != Boolean.class
          && resolved != Void.class) {
        problems.add("a CompletionStage of " + resolved.getName() + " is not a decision");
      }
      return Result.STAGE;
    }
    problems.add(
        "return type "
            + type.getName()
            + " is not supported (Decision, boolean, void or a CompletionStage of those)");
    return Result.VOID;
  }

  private static boolean isDecisions(ResolvableType list) {
    Class<?> element = list.as(List.class).getGeneric(0).resolve();
    return element == Decision.class;
  }

  private static String describe(String beanName, Method method) {
    StringJoiner parameters = new StringJoiner(", ", "(", ")");
    for (Class<?> p : method.getParameterTypes()) {
      parameters.add(p.getSimpleName());
    }
    return "'"
        + method.getDeclaringClass().getName()
        + "."
        + method.getName()
        + parameters
        + "' on bean '"
        + beanName
        + "'";
  }

  SmtpEvent event() {
    return event;
  }

  int order() {
    return order;
  }

  BodyUse bodyUse() {
    return bodyUse;
  }

  Method method() {
    return method;
  }

  String beanName() {
    return beanName;
  }

  @Override
  public String toString() {
    return description;
  }

  // ---------------------------------------------------------------- invocation

  /**
   * Calls the method for a decision per recipient (LMTP): a single decision answers every
   * recipient. The stage never completes exceptionally.
   */
  CompletionStage<List<Decision>> decideEach(ListenerArguments arguments, int recipients) {
    Object value;
    try {
      value = invoke(arguments);
    } catch (Throwable e) {
      return CompletableFuture.completedStage(Collections.nCopies(recipients, failure(e)));
    }
    if (result == Result.STAGE && value instanceof CompletionStage<?> stage) {
      return stage.handle(
          (v, e) -> e != null ? Collections.nCopies(recipients, failure(e)) : each(v, recipients));
    }
    if (result == Result.VOID) {
      return CompletableFuture.completedStage(Collections.nCopies(recipients, Decision.accept()));
    }
    if (value == null || result == Result.STAGE) {
      return CompletableFuture.completedStage(Collections.nCopies(recipients, noDecision()));
    }
    return CompletableFuture.completedStage(each(value, recipients));
  }

  /** A method's value as a decision per recipient. */
  private List<Decision> each(@Nullable Object value, int recipients) {
    if (value instanceof List<?> list) {
      if (list.size() == recipients && list.stream().allMatch(Decision.class::isInstance)) {
        return list.stream().map(Decision.class::cast).toList();
      }
      log.warn(
          "@SmtpListener({}) method {} gave {} decisions for {} recipients; answering 451",
          event,
          description,
          list.size(),
          recipients);
      return Collections.nCopies(recipients, Decision.reject(Replies.HANDLER_FAILURE));
    }
    return Collections.nCopies(recipients, fromStageValue(value));
  }

  /** Calls the method; the stage never completes exceptionally. */
  CompletionStage<Decision> decide(ListenerArguments arguments) {
    Object value;
    try {
      value = invoke(arguments);
    } catch (Throwable e) {
      return failure(e).asStage();
    }
    switch (result) {
      case VOID:
        return Decision.acceptStage();
      case DECISION:
        return value instanceof Decision d ? d.asStage() : noDecision().asStage();
      case BOOLEAN:
        return value instanceof Boolean b
            ? (b ? Decision.acceptStage() : Decision.reject().asStage())
            : noDecision().asStage();
      case DECISIONS:
        return fromStageValue(value).asStage();
      default:
        if (!(value instanceof CompletionStage<?> stage)) {
          return noDecision().asStage();
        }
        return stage.handle((v, e) -> e != null ? failure(e) : fromStageValue(v));
    }
  }

  /** Calls a notification listener; failures are logged. */
  void notify(ListenerArguments arguments) {
    try {
      invoke(arguments);
    } catch (Throwable e) {
      log.warn(
          "@SmtpListener({}) method {} failed in session {}",
          event,
          description,
          arguments.session().id(),
          unwrap(e));
    }
  }

  private @Nullable Object invoke(ListenerArguments arguments) throws Throwable {
    Object[] args = new Object[resolvers.size()];
    for (int i = 0; i < args.length; i++) {
      args[i] = resolvers.get(i).apply(arguments);
    }
    try {
      return method.invoke(bean(), args);
    } catch (InvocationTargetException e) {
      throw e.getTargetException();
    }
  }

  private Object bean() {
    Object b = bean;
    if (b != null) {
      return b;
    }
    b = beanFactory.getBean(beanName);
    if (beanFactory.isSingleton(beanName)) {
      bean = b;
    }
    return b;
  }

  private Decision fromStageValue(@Nullable Object value) {
    if (value == null) {
      return Decision.accept(); // CompletionStage<Void>
    }
    if (value instanceof List<?> list) {
      // one reply for all recipients (SMTP): accepted if any recipient's decision accepts
      return list.stream()
          .filter(Decision.class::isInstance)
          .map(Decision.class::cast)
          .filter(Decision::accepted)
          .findFirst()
          .orElseGet(
              () ->
                  list.isEmpty() || !(list.get(0) instanceof Decision first)
                      ? noDecision()
                      : first);
    }
    if (value instanceof Decision d) {
      return d;
    }
    if (value instanceof Boolean b) {
      return b ? Decision.accept() : Decision.reject();
    }
    log.warn(
        "@SmtpListener({}) method {} completed with a {}, not a decision; answering 451",
        event,
        description,
        value.getClass().getName());
    return Decision.reject(Replies.HANDLER_FAILURE);
  }

  private Decision noDecision() {
    log.warn("@SmtpListener({}) method {} returned null; answering 451", event, description);
    return Decision.reject(Replies.HANDLER_FAILURE);
  }

  private Decision failure(Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof SmtpRejectException reject) {
      return Decision.reject(reject.reply());
    }
    if (MessageAbortedException.isCause(cause)) {
      // the client spoiled its message (too large, bare line ending, gone): not a server error
      log.debug("@SmtpListener({}) method {} stopped: {}", event, description, cause.toString());
      return Decision.reject(Replies.HANDLER_FAILURE);
    }
    log.warn("@SmtpListener({}) method {} failed; answering 451", event, description, cause);
    return Decision.reject(Replies.HANDLER_FAILURE);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException
            || cause instanceof ExecutionException
            || cause instanceof UndeclaredThrowableException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
