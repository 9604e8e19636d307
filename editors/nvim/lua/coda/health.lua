-- :checkhealth coda
local M = {}

-- vim.health.ok/warn/error (0.9+) or require("health").report_* (0.7, 0.8).
local function reporter()
  local h = vim.health
  if h and h.ok then
    return h
  end
  local old = require("health")
  return { start = old.report_start, ok = old.report_ok, warn = old.report_warn,
    error = old.report_error, info = old.report_info }
end

function M.check()
  local health = reporter()
  local config = require("coda.config")
  local client = require("coda.client")
  health.start("coda")
  if vim.fn.has("nvim-0.7") == 1 then
    health.ok("Neovim " .. tostring(vim.version().major) .. "." .. vim.version().minor)
  else
    health.error("Neovim 0.7 or newer is required")
  end
  local cmd = config.options.cmd
  if vim.fn.executable(cmd[1]) == 1 then
    health.ok("server command: " .. table.concat(cmd, " "))
  else
    health.error("`" .. cmd[1] .. "` is not executable",
      { "install Coda (pip install coda) or set cmd in require('coda').setup{}" })
  end
  local running = client.any()
  if running then
    health.ok(string.format("coda-ls running (client %d, root %s)", running.id,
      tostring(running.config.root_dir)))
  else
    health.info("coda-ls is not running (it starts when a file opens, or on a :Coda command)")
  end
end

return M
