-- The coda/stream notification: {requestId, sessionId, delta, done, usage?, cancelled?, error?}.
local output = require("coda.output")

local M = {}

M.METHOD = "coda/stream"
-- requestId -> { quiet = bool, done = bool, session_id = string? }: requests this plugin
-- started. Unknown ids (e.g. a code action run by another path) still stream to the output.
M.requests = {}

function M.track(request_id, info)
  M.requests[request_id] = info or {}
end

function M.usage_text(usage)
  if type(usage) ~= "table" then
    return nil
  end
  local text = string.format("%s tokens in, %s out", tostring(usage.inputTokens or 0),
    tostring(usage.outputTokens or 0))
  if type(usage.cost) == "number" and usage.cost > 0 then
    text = text .. string.format(", $%.4f", usage.cost)
  end
  return text
end

local function footer(params)
  if type(params.error) == "table" then
    local text = "error: " .. tostring(params.error.message or "unknown")
    if params.error.hint and params.error.hint ~= vim.NIL then
      text = text .. " — " .. tostring(params.error.hint)
    end
    return text
  end
  if params.cancelled == true then
    return "cancelled"
  end
  return M.usage_text(params.usage)
end

-- Handler with the lsp-handler signature (err, result, ctx, config), valid 0.7 .. 0.11.
function M.handler(_, params, _, _)
  if type(params) ~= "table" or type(params.requestId) ~= "string" then
    return
  end
  local id = params.requestId
  local info = M.requests[id]
  if not info then
    info = {}
    M.requests[id] = info
  end
  if type(params.sessionId) == "string" then
    info.session_id = params.sessionId
  end
  if info.quiet then -- review/refactor stream JSON: the result is rendered instead
    if params.done then
      info.done = true
    end
    return
  end
  if type(params.delta) == "string" and params.delta ~= "" then
    output.append(id, params.delta)
  end
  if params.done then
    info.done = true
    output.finish(id, footer(params))
  end
end

function M.running()
  local ids = {}
  for id, info in pairs(M.requests) do
    if not info.done then
      table.insert(ids, id)
    end
  end
  return ids
end

return M
