import { route, type RouteConfig } from "@remix-run/route-config";

export default [route("login", "routes/login.tsx"), route("todos", "routes/todos.tsx")] satisfies RouteConfig;
