-- wrk script for bench_web_load.py: every thread sends its own share of prepared requests in turn, counts
-- the answers by status, and done() prints the run's figures as one JSON line starting with WRK_JSON.
--
--   wrk -t2 -c16 -d10s -s benchmarks/web_load.lua http://127.0.0.1:PORT -- REQUESTS_FILE THREADS
--
-- REQUESTS_FILE holds one request per line, tab-separated: method, path, body (may be empty), then any
-- number of "Name: value" headers. Thread k of THREADS sends lines k, k+THREADS, k+2*THREADS, ... so
-- no two threads send the same line (a quiz submit needs an attempt of its own); a thread that has sent
-- its whole share starts again from its first line and counts that in "wrapped".

local threads = {}
local created = 0

function setup(thread)
   thread:set("index", created)
   created = created + 1
   table.insert(threads, thread)
end

function init(args)
   local path, nthreads = args[1], tonumber(args[2])
   prepared = {}
   local line_number = 0
   for line in io.lines(path) do
      if line_number % nthreads == index then
         local fields = {}
         for field in (line .. "\t"):gmatch("([^\t]*)\t") do
            table.insert(fields, field)
         end
         local headers = {}
         for i = 4, #fields do
            local name, value = fields[i]:match("^([^:]+):%s*(.*)$")
            if name then
               headers[name] = value
            end
         end
         local body = nil
         if fields[3] ~= "" then
            body = fields[3]
         end
         table.insert(prepared, wrk.format(fields[1], fields[2], headers, body))
      end
      line_number = line_number + 1
   end
   if #prepared == 0 then
      error("thread " .. index .. " has no request to send: give at least one line per thread")
   end
   position = 0
   sent = 0
   wrapped = 0
   statuses = {}
end

function request()
   position = position + 1
   if position > #prepared then
      position = 1
      wrapped = wrapped + 1
   end
   sent = sent + 1
   return prepared[position]
end

function response(status, headers, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
   local counts, wraps, total_sent = {}, 0, 0
   for _, thread in ipairs(threads) do
      for status, count in pairs(thread:get("statuses")) do
         counts[status] = (counts[status] or 0) + count
      end
      wraps = wraps + thread:get("wrapped")
      total_sent = total_sent + thread:get("sent")
   end
   local parts = {}
   for status, count in pairs(counts) do
      table.insert(parts, string.format('"%s": %d', status, count))
   end
   local errors = summary.errors
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_us": %d, "sent": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
         .. '"max_us": %d, "mean_us": %.1f, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, '
         .. '"timeout": %d}, "statuses": {%s}, "wrapped": %d}\n',
      summary.requests, summary.duration, total_sent, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean, errors.connect, errors.read, errors.write, errors.status,
      errors.timeout, table.concat(parts, ", "), wraps))
end
