// A CommonJS handler in the callback style (handler(event, context, callback)) for
// tests/test_triggers_local.py; it answers after a turn of the event loop, as most do.
exports.handler = function (event, context, callback) {
  setTimeout(() => {
    if (event.request.clientMetadata?.mode === "throw") {
      callback(new Error(`refused ${event.userName}`));
      return;
    }
    event.response = {
      runtime: "node commonjs",
      pid: process.pid,
      user: event.userName,
      functionName: context.functionName,
      awsRequestId: context.awsRequestId,
      remainingMillis: context.getRemainingTimeInMillis(),
    };
    callback(null, event);
  }, 1);
};
