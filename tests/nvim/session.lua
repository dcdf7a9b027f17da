-- A real editor session against `cargo unblock server`, in Neovim's own LSP client:
-- an unsaved edit brings a diagnostic, its preferred quick fix is applied, the
-- diagnostic goes, and the server shuts down with code 0. Exits 0 when all of it held.
local server = assert(os.getenv("UNBLOCK_SERVER"), "UNBLOCK_SERVER is the binary")
local root = assert(os.getenv("UNBLOCK_ROOT"), "UNBLOCK_ROOT is the workspace")
local file = root .. "/src/main.rs"
local exit_code = nil

local function fail(message)
  io.stderr:write("nvim session: " .. message .. "\n")
  vim.cmd("cquit 1")
end

vim.cmd("edit " .. file)
local buf = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "cargo-unblock",
  cmd = { server, "server" },
  root_dir = root,
  flags = { debounce_text_changes = 20 },
  on_exit = function(code) exit_code = code end,
})
if not client_id then fail("the client did not start") end
vim.lsp.buf_attach_client(buf, client_id)

-- An unsaved edit: a std sleep in the async handler (line 9).
vim.api.nvim_buf_set_lines(buf, 8, 8, false,
  { "    std::thread::sleep(std::time::Duration::from_millis(5));" })

if not vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 20) then
  fail("no diagnostic for the unsaved edit")
end
local found = vim.diagnostic.get(buf)[1]
local lsp_diagnostic = found.user_data and found.user_data.lsp or {}
if lsp_diagnostic.code ~= "thread_sleep" or found.lnum ~= 8 then
  fail("unexpected diagnostic: " .. vim.inspect(found))
end

local range = {
  start = { line = found.lnum, character = found.col },
  ["end"] = { line = found.end_lnum, character = found.end_col },
}
-- Neovim 0.7 keeps only the LSP-specific fields in `user_data.lsp`.
local sent = { range = range, message = found.message, code = lsp_diagnostic.code }
local params = {
  textDocument = vim.lsp.util.make_text_document_params(buf),
  range = range,
  context = { diagnostics = { sent } },
}
local replies = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 30000) or {}
local applied = false
for _, reply in pairs(replies) do
  for _, action in ipairs(reply.result or {}) do
    if action.isPreferred and not applied then
      vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
      applied = true
    end
  end
end
if not applied then fail("no preferred quick fix: " .. vim.inspect(replies)) end

local line = vim.api.nvim_buf_get_lines(buf, 8, 9, false)[1]
if line ~= "    tokio::time::sleep(std::time::Duration::from_millis(5)).await;" then
  fail("the fix left: " .. line)
end
if not vim.wait(30000, function() return #vim.diagnostic.get(buf) == 0 end, 20) then
  fail("the diagnostic stayed after the fix")
end

vim.lsp.stop_client(client_id)
if not vim.wait(10000, function() return exit_code ~= nil end, 20) then
  fail("the server did not exit")
end
if exit_code ~= 0 then fail("the server exited with " .. tostring(exit_code)) end
io.stdout:write("nvim session: ok\n")
vim.cmd("qall!")
