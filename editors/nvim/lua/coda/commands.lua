-- The :Coda* user commands and the client-side handlers of Coda's code actions.
local actions = require("coda.actions")
local output = require("coda.output")

local M = {}

-- The range of a :command invocation, or nil for the whole buffer.
local function command_range(opts)
  if opts.range and opts.range > 0 then
    return actions.line_range(opts.line1, opts.line2)
  end
  return nil
end

local function whole_buffer(bufnr)
  return actions.line_range(1, vim.api.nvim_buf_line_count(bufnr))
end

local function input(prompt, default, fn)
  vim.ui.input({ prompt = prompt, default = default }, function(text)
    if text and vim.trim(text) ~= "" then
      fn(text)
    end
  end)
end

M.definitions = {
  CodaAsk = {
    desc = "Coda: ask a question (about the selected lines with a range)",
    opts = { nargs = "*", range = true },
    run = function(opts, bufnr)
      local range = command_range(opts)
      if opts.args ~= "" then
        actions.ask(bufnr, opts.args, range)
      else
        input("Ask Coda: ", nil, function(q)
          actions.ask(bufnr, q, range)
        end)
      end
    end,
  },
  CodaChat = {
    desc = "Coda: chat without code context",
    opts = { nargs = "*" },
    run = function(opts, bufnr)
      if opts.args ~= "" then
        actions.chat(bufnr, opts.args)
      else
        input("Chat with Coda: ", nil, function(q)
          actions.chat(bufnr, q)
        end)
      end
    end,
  },
  CodaExplain = {
    desc = "Coda: explain the selected lines (or the whole buffer)",
    opts = { nargs = "*", range = true },
    run = function(opts, bufnr)
      actions.explain(bufnr, command_range(opts), opts.args ~= "" and opts.args or nil)
    end,
  },
  CodaReview = {
    desc = "Coda: review the selected lines (or the whole buffer) into diagnostics",
    opts = { nargs = 0, range = true },
    run = function(opts, bufnr)
      actions.review(bufnr, command_range(opts))
    end,
  },
  CodaRefactor = {
    desc = "Coda: refactor the selected lines (or the whole buffer) by an instruction",
    opts = { nargs = "*", range = true },
    run = function(opts, bufnr)
      local range = command_range(opts) or whole_buffer(bufnr)
      if opts.args ~= "" then
        actions.refactor(bufnr, range, opts.args)
      else
        input("Refactor instruction: ", nil, function(instruction)
          actions.refactor(bufnr, range, instruction)
        end)
      end
    end,
  },
  CodaModel = {
    desc = "Coda: pick a model (:CodaModel [provider] model sets one)",
    opts = { nargs = "*" },
    run = function(opts, bufnr)
      local args = opts.fargs
      if #args == 0 then
        actions.pick_model(bufnr)
      elseif #args == 1 then
        actions.set_model(bufnr, args[1], nil)
      else
        actions.set_model(bufnr, args[2], args[1])
      end
    end,
  },
  CodaSessions = {
    desc = "Coda: pick the session new questions continue",
    opts = { nargs = 0 },
    run = function(_, bufnr)
      actions.sessions(bufnr)
    end,
  },
  CodaNewSession = {
    desc = "Coda: start a new session",
    opts = { nargs = "*" },
    run = function(opts, bufnr)
      actions.new_session(bufnr, opts.args ~= "" and opts.args or nil)
    end,
  },
  CodaCancel = {
    desc = "Coda: cancel the running requests",
    opts = { nargs = 0 },
    run = function(_, bufnr)
      actions.cancel(bufnr)
    end,
  },
  CodaMap = {
    desc = "Coda: show the repository map (:CodaMap [tokens])",
    opts = { nargs = "?" },
    run = function(opts, bufnr)
      actions.repo_map(bufnr, tonumber(opts.args))
    end,
  },
  CodaAttach = {
    desc = "Coda: attach files (images, PDFs) to the next question; ! clears, none lists",
    opts = { nargs = "*", complete = "file", bang = true },
    run = function(opts)
      if opts.bang then
        actions.pending = {}
      end
      actions.attach(opts.fargs)
    end,
  },
  CodaOutput = {
    desc = "Coda: show or hide the output window",
    opts = { nargs = 0 },
    run = function()
      output.toggle()
    end,
  },
}

function M.create()
  for name, def in pairs(M.definitions) do
    local opts = vim.tbl_extend("force", def.opts, { desc = def.desc, force = true })
    vim.api.nvim_create_user_command(name, function(cmd_opts)
      def.run(cmd_opts, vim.api.nvim_get_current_buf())
    end, opts)
  end
end

-- Code actions carry server commands. Running them here (vim.lsp.commands, consulted by
-- vim.lsp.buf.code_action) routes their stream to the output window and lets "Refactor…"
-- ask for the instruction. "Coda: Apply suggestion" is fast and goes to the server as is.
function M.register_lsp_commands()
  local function arg(command)
    return (command.arguments or {})[1] or {}
  end
  vim.lsp.commands["coda.explain"] = function(command, ctx)
    local a = arg(command)
    actions.explain(ctx.bufnr or vim.uri_to_bufnr(a.uri), a.range)
  end
  vim.lsp.commands["coda.review"] = function(command, ctx)
    local a = arg(command)
    actions.review(ctx.bufnr or vim.uri_to_bufnr(a.uri), a.range)
  end
  vim.lsp.commands["coda.refactor"] = function(command, ctx)
    local a = arg(command)
    local bufnr = ctx.bufnr or vim.uri_to_bufnr(a.uri)
    input("Refactor instruction: ", a.instruction, function(instruction)
      actions.refactor(bufnr, a.range, instruction)
    end)
  end
end

return M
