-- wrk script: Telegram webhook deliveries carrying a status command, each
-- with its own update_id, from the linked chats 1..CHATS (bench/webhook.sh).
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
	thread:set("id", #threads)
	table.insert(threads, thread)
end

function init(args)
	thread_id = id
	counter = 0
end

function request()
	counter = counter + 1
	local update = 100000000 * (thread_id + 1) + counter
	local chat = 1000 + (counter % 1000) + 1
	local task = (counter % 1000) + 1
	local pct = counter % 100
	local body = string.format(
		'{"update_id":%d,"message":{"message_id":%d,"date":1759200000,' ..
		'"from":{"id":%d,"is_bot":false,"first_name":"Cán bộ"},' ..
		'"chat":{"id":%d,"type":"private","first_name":"Cán bộ"},' ..
		'"text":"/tiendo %d %d%% đã cập nhật"}}', update, counter, chat, chat, task, pct)
	return wrk.format("POST", "/telegram/webhook", {
		["Content-Type"] = "application/json",
		["X-Telegram-Bot-Api-Secret-Token"] = "bench-secret",
	}, body)
end
