import { z } from "zod";
import { TODO_FILTERS } from "../../todos/schemas";
import { PROBLEMS, problemTypeUri, type ProblemType } from "./problem.server";
import {
  CreateTodoSchema,
  ProblemJsonSchema,
  TodoJsonSchema,
  TodoListJsonSchema,
  UpdateTodoSchema,
} from "./schemas";

/** The schemas the description names, generated from the zod schemas that validate the requests. */
const COMPONENTS = {
  Todo: TodoJsonSchema,
  TodoList: TodoListJsonSchema,
  CreateTodo: CreateTodoSchema,
  UpdateTodo: UpdateTodoSchema,
  Problem: ProblemJsonSchema,
};

function componentSchemas() {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    io: "input",
    uri: (id) => `#/components/schemas/${id}`,
  });
  // Each component is a schema inside the document, not a document of its own.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema]),
  );
}

const ref = (id: keyof typeof COMPONENTS) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: keyof typeof COMPONENTS) => ({ "application/json": { schema: ref(id) } });

const problemResponse = (...types: ProblemType[]) => {
  const { status } = PROBLEMS[types[0] ?? "not-found"];
  return [
    String(status),
    {
      description: types.map((type) => `${problemTypeUri(type)}: ${PROBLEMS[type].title}`).join("; "),
      content: { "application/problem+json": { schema: ref("Problem") } },
    },
  ] as const;
};

const authProblems = [
  problemResponse("missing-token", "invalid-token"),
  problemResponse("rate-limited"),
] as const;

/** A change without a bearer token is a browser's, and must come from APP_URL (docs/decisions/006-origin-check-in-express.md). */
const changeProblems = [...authProblems, problemResponse("cross-site-request")] as const;

const idParameter = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
};

/** The OpenAPI 3.1 description of the JSON todo API, served at /api/openapi.json. */
export function openApiDocument(appUrl: URL) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Todo API",
      version: "1.0.0",
      description:
        "The caller's todos. Authenticate with a short-lived JWT from GET /api/auth/token " +
        "(with a session cookie, or a session token as a bearer) sent as 'Authorization: Bearer <JWT>'.",
    },
    servers: [{ url: appUrl.origin }],
    security: [{ accessToken: [] }],
    paths: {
      "/api/todos": {
        get: {
          operationId: "listTodos",
          summary: "List the caller's todos",
          parameters: [
            {
              name: "filter",
              in: "query",
              required: false,
              schema: { type: "string", enum: [...TODO_FILTERS], default: "all" },
            },
          ],
          responses: Object.fromEntries([
            ["200", { description: "The list", content: json("TodoList") }],
            problemResponse("invalid-request"),
            ...authProblems,
          ]),
        },
        post: {
          operationId: "createTodo",
          summary: "Add a todo",
          requestBody: { required: true, content: json("CreateTodo") },
          responses: Object.fromEntries([
            [
              "201",
              {
                description: "Created",
                headers: { Location: { schema: { type: "string" } } },
                content: json("Todo"),
              },
            ],
            problemResponse("invalid-request", "malformed-json"),
            problemResponse("unsupported-media-type"),
            ...changeProblems,
          ]),
        },
      },
      "/api/todos/{id}": {
        parameters: [idParameter],
        get: {
          operationId: "getTodo",
          summary: "One todo",
          responses: Object.fromEntries([
            ["200", { description: "The todo", content: json("Todo") }],
            problemResponse("not-found"),
            ...authProblems,
          ]),
        },
        patch: {
          operationId: "updateTodo",
          summary: "Change a todo's title, completion, or both",
          requestBody: { required: true, content: json("UpdateTodo") },
          responses: Object.fromEntries([
            ["200", { description: "The changed todo", content: json("Todo") }],
            problemResponse("invalid-request", "malformed-json"),
            problemResponse("not-found"),
            problemResponse("unsupported-media-type"),
            ...changeProblems,
          ]),
        },
        delete: {
          operationId: "deleteTodo",
          summary: "Delete a todo",
          responses: Object.fromEntries([
            ["204", { description: "Deleted" }],
            problemResponse("not-found"),
            ...changeProblems,
          ]),
        },
      },
    },
    components: {
      securitySchemes: {
        accessToken: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
      },
      schemas: componentSchemas(),
    },
  };
}
